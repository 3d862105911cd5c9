/**
 * Plays one bilateral session in-process by driving two real alternating-offers actors (one per
 * side) on a shared SimulatedClock, passing messages synchronously with a fixed simulated latency.
 * No network and no crypto: a simulated AgreementPort builds, "signs" and checks agreements so the
 * machine takes exactly the paths it takes in production.
 */
import type { Address, Hex } from "viem";
import { createActor, SimulatedClock } from "xstate";
import { type Agreement, agreementMismatch, buildAgreement } from "../../core/agreement.ts";
import { BaseError } from "../../core/errors.ts";
import {
  type AgreementPort,
  alternatingOffersMachine,
  type OutboundMessage,
  type SessionEvent,
  type SessionOutcome,
} from "../protocols/alternating-offers.ts";
import type { Side, Strategy, Terms } from "../strategies/strategy.ts";
import type { RfqBody } from "../wire/schemas.ts";

const LENDER: Address = "0x000000000000000000000000000000000000000A";
const BORROWER: Address = "0x000000000000000000000000000000000000000b";
const SESSION: Hex = `0x${"5e".repeat(32)}`;
const signatureOf = (side: Side): Hex => `0x${(side === "lender" ? "a1" : "b2").repeat(65)}`;

/** Deterministic stand-in for the EIP-712 port: signatures are per-role constants. */
export function simulatedAgreementPort(p: { side: Side; rfq: RfqBody; nowSec: () => bigint }): AgreementPort {
  const idOf = (a: Agreement): Hex => {
    // FNV-1a over the economic fields: distinct agreements get distinct ids.
    let h = 0x811c9dc5;
    for (const ch of `${a.principal}|${a.rateBps}|${a.tenor}|${a.collateral}|${a.nonce}`) {
      h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    }
    return `0x${h.toString(16).padStart(64, "0")}`;
  };
  const session = {
    sessionId: SESSION,
    lender: LENDER,
    borrower: BORROWER,
    principalToken: p.rfq.principalToken,
  };
  return {
    build: (terms) => buildAgreement({ session, terms, nonce: 1n, deadline: p.nowSec() + 600n }),
    sign: () => signatureOf(p.side),
    id: idOf,
    verify: (_a, signature, role) => signature === signatureOf(role),
    // The production check (every field), with the simulated session.
    mismatch: (a, terms) => {
      const now = p.nowSec();
      return agreementMismatch(a, { session, terms, deadline: { after: now, notAfter: now + 1200n } });
    },
  };
}

function toEvent(m: OutboundMessage): SessionEvent {
  switch (m.kind) {
    case "offer":
      return { type: "offer.received", terms: m.body.terms };
    case "accept":
      return { type: "accept.received", agreement: m.body.agreement, signature: m.body.signature };
    case "confirm":
      return { type: "confirm.received", agreementId: m.body.agreementId, signature: m.body.signature };
    case "reject":
      return { type: "reject.received", reason: m.body.reason };
  }
}

export type PlaySessionParameters = {
  rfq: RfqBody;
  lender: Strategy;
  borrower: Strategy;
  maxRounds: number;
  deadlineMs: number;
  /** Simulated time each message takes to arrive, ms. */
  latencyMs: number;
};

export type PlayedSession = {
  /** The agreed terms, when both sides ended `agreed`. */
  agreed: Terms | undefined;
  /** Offers made by both sides together. */
  offers: number;
  lender: SessionOutcome;
  borrower: SessionOutcome;
  /** Simulated ms from start to the end of both sessions. */
  durationMs: number;
};

export function playSession(p: PlaySessionParameters): PlayedSession {
  const clock = new SimulatedClock();
  const nowSec = () => 1_700_000_000n + BigInt(Math.floor(clock.now() / 1000));
  const common = {
    sessionId: SESSION,
    maxRounds: p.maxRounds,
    deadlineMs: p.deadlineMs,
    confirmTimeoutMs: Math.max(1, 4 * p.latencyMs),
    now: () => clock.now(),
  };
  const lender = createActor(alternatingOffersMachine, {
    clock,
    input: {
      ...common,
      side: "lender",
      peer: BORROWER,
      strategy: p.lender,
      opensWithOffer: true,
      port: simulatedAgreementPort({ side: "lender", rfq: p.rfq, nowSec }),
    },
  });
  const borrower = createActor(alternatingOffersMachine, {
    clock,
    input: {
      ...common,
      side: "borrower",
      peer: LENDER,
      strategy: p.borrower,
      opensWithOffer: false,
      port: simulatedAgreementPort({ side: "borrower", rfq: p.rfq, nowSec }),
    },
  });
  const queue: { to: typeof lender; event: SessionEvent }[] = [];
  let offers = 0;
  lender.on("outbound", (e) => {
    if (e.message.kind === "offer") offers++;
    queue.push({ to: borrower, event: toEvent(e.message) });
  });
  borrower.on("outbound", (e) => {
    if (e.message.kind === "offer") offers++;
    queue.push({ to: lender, event: toEvent(e.message) });
  });
  borrower.start();
  lender.start();
  const done = () => lender.getSnapshot().status !== "active" && borrower.getSnapshot().status !== "active";
  // Deliver in order, each message taking `latencyMs`; when nothing is in flight, let time run
  // so that deadlines and confirmation timeouts fire.
  for (let guard = 0; !done() && guard < 100_000; guard++) {
    const next = queue.shift();
    if (next) {
      clock.increment(p.latencyMs);
      if (next.to.getSnapshot().status === "active") next.to.send(next.event);
    } else {
      clock.increment(Math.max(1, p.deadlineMs));
    }
  }
  const ls = lender.getSnapshot();
  const l = ls.output;
  const b = borrower.getSnapshot().output;
  lender.stop();
  borrower.stop();
  if (!l || !b) throw new BaseError("The simulated session did not finish.");
  // The Agreement leaves out the haircut: the agreed terms are whichever offer it was built from.
  const agreed =
    l.status === "agreed" && b.status === "agreed"
      ? [ls.context.myLast, ls.context.theirLast].find(
          (t) =>
            t !== undefined &&
            simulatedAgreementPort({ side: "lender", rfq: p.rfq, nowSec }).mismatch(l.agreement, t) ===
              undefined,
        )
      : undefined;
  return { agreed, offers, lender: l, borrower: b, durationMs: clock.now() };
}
