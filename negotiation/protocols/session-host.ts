/**
 * Runs one alternating-offers actor per open session over an Endpoint: opens sessions, sends
 * what they emit, routes inbound messages to them by (session id, peer), and reports how they
 * end. Agents build on it; benchmarks and peers without an agent can use it alone.
 */
import type { Address, Hex } from "viem";
import { type Actor, createActor } from "xstate";
import { type ArbiterDomain, hashAgreement } from "../../core/agreement.ts";
import type { NonceAllocator } from "../../core/agreement-nonce.ts";
import type { Logger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import type { Endpoint } from "../endpoint.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import type { Side, Strategy, Terms } from "../strategies/strategy.ts";
import { actorClock, type TimerClock } from "../timer-clock.ts";
import { canonicalJson } from "../wire/canonical.ts";
import type { RfqBody, SessionMessage } from "../wire/schemas.ts";
import { createAgreementPort } from "./agreement-port.ts";
import {
  alternatingOffersMachine,
  type OutboundEvent,
  type OutboundMessage,
  rejectMessage,
  type SessionEvent,
  type SessionOutcome,
  type SessionResume,
} from "./alternating-offers.ts";
import { createEndedSessions } from "./ended-sessions.ts";

export type SessionOptions = {
  /** Offers each side may make before giving up. */
  maxRounds: number;
  /** Wall-time budget of a negotiation, ms. */
  deadlineMs: number;
  /** How long an accepter waits for the countersignature, ms. */
  confirmTimeoutMs: number;
  /** How long an agreement we build stays settleable (its deadline: now + this), s. */
  settlementWindowSec: number;
  /** The latest deadline we countersign, s from now. */
  maxSettlementWindowSec: number;
  /** How long an ended session is remembered, to answer a late message in it, ms (0: never). */
  endedSessionMemoryMs: number;
};

/** docs/PROTOCOL.md §9, under these names. */
export const defaultSessionOptions: SessionOptions = {
  maxRounds: PROTOCOL_PARAMETERS.maxRounds,
  deadlineMs: PROTOCOL_PARAMETERS.deadlineMs,
  confirmTimeoutMs: PROTOCOL_PARAMETERS.confirmTimeoutMs,
  settlementWindowSec: PROTOCOL_PARAMETERS.settlementWindowSec,
  maxSettlementWindowSec: PROTOCOL_PARAMETERS.maxSettlementWindowSec,
  endedSessionMemoryMs: PROTOCOL_PARAMETERS.endedSessionMemoryMs,
};

export type OpenSessionParameters = {
  side: Side;
  sessionId: Hex;
  peer: Address;
  rfq: RfqBody;
  strategy: Strategy;
  /** The counterparty's first offer, which the session answers (borrower side). */
  openingOffer?: Terms;
  /** Reopens a session a restarted agent had open (see SessionResume). */
  resume?: SessionResume;
};

export type ResendLastParameters = {
  sessionId: Hex;
  /** The borrower whose RFQ arrived again. */
  peer: Address;
  /** The RFQ that arrived: it must be the one the session was opened on. */
  rfq: RfqBody;
};

/** An offer sent again (see SessionHost.resendLast). */
export type ResentOffer = Extract<OutboundMessage, { kind: "offer" }>;

export type SessionFinished = { side: Side; sessionId: Hex; peer: Address; outcome: SessionOutcome };

/** What every host that runs negotiation machines over an endpoint is given. `Options` are the
 *  machine's limits, `Sent` what it sends, `Finished` how a run ends. */
export type HostParameters<Options, Sent extends { message: unknown }, Finished> = {
  endpoint: Endpoint;
  signer: Signer;
  domain: ArbiterDomain;
  options?: Partial<Options>;
  /** Unix seconds on the settlement chain (agreement deadlines). */
  nowSec: () => bigint;
  log: Logger;
  onSent?: (to: Address, sessionId: Hex, message: Sent["message"]) => void;
  /** Awaited before a message goes out; if it rejects, the message is not sent. Durable agents
   *  record a fully signed agreement here before confirming it, so a crash cannot leave the peer
   *  holding both signatures while we have none. */
  beforeSend?: (to: Address, sessionId: Hex, event: Sent) => Promise<void>;
  onFinished: (f: Finished) => void;
  /** The clock the machines' timers and deadlines run on (SimulatedClock in simulations).
   *  Default: the wall clock. */
  clock?: TimerClock;
  /** Our agreement nonces. Default: this process's allocator for our address. */
  nonces?: NonceAllocator;
};

export type CreateSessionHostParameters = HostParameters<SessionOptions, OutboundEvent, SessionFinished>;

export interface SessionHost {
  open(p: OpenSessionParameters): void;
  /** Hands an inbound message to its session; false if no session is open for it. An `offer` or
   *  `accept` in a session that ended lately is answered instead (true): with our `confirm` again
   *  for the very agreement we confirmed, else `reject` ("session-ended"). */
  route(msg: SessionMessage): boolean;
  /** A borrower sent its RFQ again in a session we lend in (it restarted not knowing whether the
   *  RFQ had left, and may have missed our offer: docs/PROTOCOL.md §7.1). If our session with it
   *  waits for its answer to our last offer, sends that offer again: same terms, a new envelope
   *  (next seq), which its restarted auction admits as a newcomer's. Returns the offer sent, or
   *  undefined when nothing was sent: no lender session with `peer` in `sessionId`, a session in
   *  another state (we accepted and wait for a confirm, or it has ended), or an RFQ other than the
   *  one the session opened on (logged: a different RFQ under a session id is suspicious).
   *
   *  The session itself does not move (same round, same deadline). The offer is not passed to
   *  `onSent`, which reports new messages: it is the one already reported (and journaled). It
   *  still waits for `beforeSend`, so it leaves after the session's pending writes have landed. */
  resendLast(p: ResendLastParameters): ResentOffer | undefined;
  readonly size: number;
  stop(): void;
}

const sessionKey = (sessionId: Hex, peer: Address) => `${sessionId.toLowerCase()}:${peer.toLowerCase()}`;

/** Sends one outbound session message with the endpoint (narrowing the kind for its types). */
export function sendSessionMessage(endpoint: Endpoint, to: Address, sessionId: Hex, m: OutboundMessage) {
  switch (m.kind) {
    case "offer":
      return endpoint.send(to, sessionId, "offer", m.body);
    case "accept":
      return endpoint.send(to, sessionId, "accept", m.body);
    case "confirm":
      return endpoint.send(to, sessionId, "confirm", m.body);
    case "reject":
      return endpoint.send(to, sessionId, "reject", m.body);
  }
}

/** What toSessionEvent makes of the sealed-bid kinds, which only a sealed-bid host takes. No
 *  session or auction machine handles this type, so a host that forwards it blindly drops it (an
 *  event must keep a string type: xstate's wildcard matching throws on one without). */
export type IgnoredSessionEvent = { type: "ignored"; kind: "commit" | "reveal" | "margin.call" };

/** The bilateral session event of an inbound message (IgnoredSessionEvent for commit/reveal). */
export function toSessionEvent(msg: SessionMessage): SessionEvent | IgnoredSessionEvent {
  switch (msg.kind) {
    case "offer":
      return { type: "offer.received", terms: msg.body.terms };
    case "accept":
      return { type: "accept.received", agreement: msg.body.agreement, signature: msg.body.signature };
    case "confirm":
      return { type: "confirm.received", agreementId: msg.body.agreementId, signature: msg.body.signature };
    case "reject":
      return { type: "reject.received", reason: msg.body.reason, code: msg.body.code };
    case "commit":
    case "reveal":
    case "margin.call":
      return { type: "ignored", kind: msg.kind };
  }
}

export function createSessionHost(p: CreateSessionHostParameters): SessionHost {
  const opts: SessionOptions = { ...defaultSessionOptions, ...p.options };
  const now = () => (p.clock ? p.clock.now() : Date.now());
  /** Open sessions by (session id, peer), with the RFQ each was opened on. */
  const sessions = new Map<
    string,
    { actor: Actor<typeof alternatingOffersMachine>; side: Side; rfq: RfqBody }
  >();
  /** Sessions ended lately, with the confirm we sent if we countersigned (to send it again). */
  const ended = createEndedSessions<Extract<OutboundMessage, { kind: "confirm" }>>({
    memoryMs: opts.endedSessionMemoryMs,
    now,
  });

  /** A late `offer` or `accept` in a session that has ended: answered, never ignored. */
  const answerEnded = (
    msg: SessionMessage,
    confirm: Extract<OutboundMessage, { kind: "confirm" }> | undefined,
  ) => {
    if (msg.kind !== "offer" && msg.kind !== "accept") return false;
    const again =
      confirm !== undefined &&
      msg.kind === "accept" &&
      ((): boolean => {
        try {
          return hashAgreement(p.domain, msg.body.agreement) === confirm.body.agreementId;
        } catch {
          return false;
        }
      })();
    const message = again ? confirm : rejectMessage({ code: "session-ended", reason: "session ended" });
    p.log.debug("message in an ended session answered", {
      sessionId: msg.sessionId,
      from: msg.from,
      kind: msg.kind,
      answer: message.kind,
    });
    deliver(msg.from, msg.sessionId, { type: "outbound", message });
    return true;
  };

  const send = (to: Address, sessionId: Hex, ev: OutboundEvent) => {
    p.onSent?.(to, sessionId, ev.message);
    deliver(to, sessionId, ev);
  };

  const deliver = (to: Address, sessionId: Hex, ev: OutboundEvent) => {
    const m = ev.message;
    // Without a beforeSend hook the message leaves now, in the tick the session decided it.
    const sending = p.beforeSend
      ? p.beforeSend(to, sessionId, ev).then(async () => {
          await sendSessionMessage(p.endpoint, to, sessionId, m);
        })
      : sendSessionMessage(p.endpoint, to, sessionId, m);
    sending.catch((err: unknown) =>
      p.log.warn("send failed", { sessionId, kind: m.kind, error: String(err) }),
    );
  };

  return {
    open(e) {
      const key = sessionKey(e.sessionId, e.peer);
      if (sessions.has(key)) return;
      const me = p.signer.address;
      const session = createActor(alternatingOffersMachine, {
        input: {
          side: e.side,
          sessionId: e.sessionId,
          peer: e.peer,
          strategy: e.strategy,
          maxRounds: opts.maxRounds,
          deadlineMs: opts.deadlineMs,
          confirmTimeoutMs: opts.confirmTimeoutMs,
          opensWithOffer: e.side === "lender",
          ...(e.resume ? { resume: e.resume } : {}),
          now,
          port: createAgreementPort({
            ...(p.nonces ? { nonces: p.nonces } : {}),
            domain: p.domain,
            signer: p.signer,
            sessionId: e.sessionId,
            lender: e.side === "lender" ? me : e.peer,
            borrower: e.side === "borrower" ? me : e.peer,
            principalToken: e.rfq.principalToken,
            settlementWindowSec: opts.settlementWindowSec,
            maxSettlementWindowSec: opts.maxSettlementWindowSec,
            nowSec: p.nowSec,
          }),
        },
        ...actorClock(p.clock),
      });
      sessions.set(key, { actor: session, side: e.side, rfq: e.rfq });
      let confirmSent: Extract<OutboundMessage, { kind: "confirm" }> | undefined;
      session.on("outbound", (ev) => {
        if (ev.message.kind === "confirm") confirmSent = ev.message;
        send(e.peer, e.sessionId, ev);
      });
      session.subscribe({
        complete: () => {
          sessions.delete(key);
          // A session stopped from outside (host shutdown) completes without an outcome.
          const snapshot = session.getSnapshot();
          if (snapshot.status !== "done") return;
          const outcome = snapshot.output;
          // We countersigned their accept: their repeat of it (a restarted peer that missed our
          // confirm) gets the same confirm again.
          ended.remember(key, confirmSent);
          p.onFinished({ side: e.side, sessionId: e.sessionId, peer: e.peer, outcome });
        },
        error: (err) => {
          sessions.delete(key);
          p.log.error("session crashed", { sessionId: e.sessionId, error: String(err) });
        },
      });
      session.start();
      if (e.openingOffer) session.send({ type: "offer.received", terms: e.openingOffer });
    },
    route(msg) {
      const key = sessionKey(msg.sessionId, msg.from);
      const session = sessions.get(key);
      if (!session) {
        const gone = ended.recall(key);
        return gone !== undefined && answerEnded(msg, gone.value);
      }
      if (msg.kind === "offer" && msg.body.resent) {
        // An offer sent again for a repeated RFQ: this session has it already (or answered it),
        // and taking it for a new round would put the two sides a move apart.
        p.log.debug("resent offer for an open session ignored", { sessionId: msg.sessionId, from: msg.from });
        return true;
      }
      const event = toSessionEvent(msg);
      if (event.type === "ignored") return false;
      session.actor.send(event);
      return true;
    },
    resendLast({ sessionId, peer, rfq }) {
      const session = sessions.get(sessionKey(sessionId, peer));
      if (session?.side !== "lender") return undefined;
      if (canonicalJson(rfq) !== canonicalJson(session.rfq)) {
        p.log.warn("rfq repeated with another body: declined", { sessionId, peer });
        return undefined;
      }
      // Waiting with an offer of ours out is the borrower's move: what it may have missed.
      const snapshot = session.actor.getSnapshot();
      const terms = snapshot.context.myLast;
      if (snapshot.status !== "active" || !snapshot.matches({ negotiating: "waiting" }) || !terms)
        return undefined;
      const message: ResentOffer = { kind: "offer", body: { terms, resent: true } };
      deliver(peer, sessionId, { type: "outbound", message });
      return message;
    },
    get size() {
      return sessions.size;
    },
    stop() {
      for (const s of sessions.values()) s.actor.stop();
      sessions.clear();
    },
  };
}
