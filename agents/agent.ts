/**
 * An agent: one protocol's negotiator. It runs the lifecycle machine (agent-machine.ts), one
 * alternating-offers actor per open session, and connects them to the negotiation endpoint
 * (messages in and out) and the settlement port (the chain). Everything it does is reported
 * through `onActivity`, which is what transcripts and simulations read.
 */
import { randomBytes } from "node:crypto";
import { type Address, bytesToHex, type Hex } from "viem";
import { type Actor, createActor } from "xstate";
import { type Agreement, type ArbiterDomain, hashAgreement } from "../core/agreement.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import type { Endpoint, InboundMeta } from "../negotiation/endpoint.ts";
import { createAgreementPort } from "../negotiation/protocols/agreement-port.ts";
import {
  alternatingOffersMachine,
  type OutboundMessage,
  type SessionEvent,
  type SessionOutcome,
} from "../negotiation/protocols/alternating-offers.ts";
import type { Side } from "../negotiation/strategies/strategy.ts";
import type { RfqBody, RfqMessage, SessionMessage } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { type AgentEffect, agentMachine } from "./agent-machine.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import type { SettlementPort } from "./settlement-port.ts";

export type SessionOptions = {
  /** Offers each side may make before giving up. */
  maxRounds: number;
  /** Wall-time budget of a negotiation, ms. */
  deadlineMs: number;
  /** How long an accepter waits for the countersignature, ms. */
  confirmTimeoutMs: number;
  /** How long a signed agreement stays settleable, s. */
  settlementWindowSec: number;
};

export const defaultSessionOptions: SessionOptions = {
  maxRounds: 4,
  deadlineMs: 10_000,
  confirmTimeoutMs: 5_000,
  settlementWindowSec: 600,
};

export type CreateAgentParameters = {
  name: string;
  signer: Signer;
  domain: ArbiterDomain;
  endpoint: Endpoint;
  adapter: ProtocolAdapter;
  settlement: SettlementPort;
  policy: AgentPolicy;
  pollMs?: number;
  rfqWindowMs?: number;
  /** Close the RFQ window early after this many opening offers. */
  enoughOffers?: number;
  session?: Partial<SessionOptions>;
  /** Unix seconds on the settlement chain. Defaults to the wall clock. */
  nowSec?: () => bigint;
  log?: Logger;
};

export type Activity =
  | { type: "sent"; agent: string; to: Address | "broadcast"; kind: string; sessionId: Hex; body: unknown }
  | { type: "received"; agent: string; from: Address; kind: string; sessionId: Hex; body: unknown }
  | { type: "session"; agent: string; side: Side; sessionId: Hex; peer: Address; outcome: SessionOutcome }
  | { type: "report"; agent: string; what: string; data: Record<string, unknown> };

export interface Agent {
  readonly name: string;
  readonly address: Address;
  readonly actor: Actor<typeof agentMachine>;
  /** Looks at the protocol now instead of at the next poll. */
  poke(): void;
  onActivity(listener: (a: Activity) => void): () => void;
  stop(): Promise<void>;
}

const sessionKey = (sessionId: Hex, peer: Address) => `${sessionId.toLowerCase()}:${peer.toLowerCase()}`;

function toSessionEvent(msg: SessionMessage): SessionEvent {
  switch (msg.kind) {
    case "offer":
      return { type: "offer.received", terms: msg.body.terms };
    case "accept":
      return { type: "accept.received", agreement: msg.body.agreement, signature: msg.body.signature };
    case "confirm":
      return { type: "confirm.received", agreementId: msg.body.agreementId, signature: msg.body.signature };
    case "reject":
      return { type: "reject.received", reason: msg.body.reason };
  }
}

export function createAgent(p: CreateAgentParameters): Agent {
  const log = (p.log ?? createLogger()).child({ agent: p.name });
  const opts: SessionOptions = { ...defaultSessionOptions, ...p.session };
  const nowSec = p.nowSec ?? (() => BigInt(Math.floor(Date.now() / 1000)));
  const listeners = new Set<(a: Activity) => void>();
  const report = (a: Activity) => {
    for (const l of listeners) l(a);
  };
  const sessions = new Map<string, Actor<typeof alternatingOffersMachine>>();

  const actor = createActor(agentMachine, {
    input: {
      address: p.signer.address,
      adapter: p.adapter,
      settlement: p.settlement,
      policy: p.policy,
      pollMs: p.pollMs ?? 1_000,
      rfqWindowMs: p.rfqWindowMs ?? 300,
      ...(p.enoughOffers === undefined ? {} : { enoughOffers: p.enoughOffers }),
      newSessionId: () => bytesToHex(randomBytes(32)),
      agreementId: (a: Agreement) => hashAgreement(p.domain, a),
      nowSec,
      log,
    },
  });

  const send = (to: Address, sessionId: Hex, m: OutboundMessage) => {
    report({ type: "sent", agent: p.name, to, kind: m.kind, sessionId, body: m.body });
    const sent =
      m.kind === "offer"
        ? p.endpoint.send(to, sessionId, "offer", m.body)
        : m.kind === "accept"
          ? p.endpoint.send(to, sessionId, "accept", m.body)
          : m.kind === "confirm"
            ? p.endpoint.send(to, sessionId, "confirm", m.body)
            : p.endpoint.send(to, sessionId, "reject", m.body);
    sent.catch((err: unknown) => log.warn("send failed", { sessionId, kind: m.kind, error: String(err) }));
  };

  const openSession = (e: Extract<AgentEffect, { type: "effect.openSession" }>) => {
    const key = sessionKey(e.sessionId, e.peer);
    if (sessions.has(key)) return;
    const lender = e.side === "lender" ? p.signer.address : e.peer;
    const borrower = e.side === "borrower" ? p.signer.address : e.peer;
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
        now: () => Date.now(),
        port: createAgreementPort({
          domain: p.domain,
          signer: p.signer,
          sessionId: e.sessionId,
          lender,
          borrower,
          principalToken: e.rfq.principalToken,
          settlementWindowSec: opts.settlementWindowSec,
          nowSec,
        }),
      },
    });
    sessions.set(key, session);
    session.on("outbound", (ev) => send(e.peer, e.sessionId, ev.message));
    session.subscribe({
      complete: () => {
        sessions.delete(key);
        const outcome = session.getSnapshot().output!;
        report({
          type: "session",
          agent: p.name,
          side: e.side,
          sessionId: e.sessionId,
          peer: e.peer,
          outcome,
        });
        actor.send({ type: "session.finished", side: e.side, sessionId: e.sessionId, peer: e.peer, outcome });
      },
      error: (err) => log.error("session crashed", { sessionId: e.sessionId, error: String(err) }),
    });
    session.start();
    if (e.openingOffer) session.send({ type: "offer.received", terms: e.openingOffer });
  };

  actor.on("*", (effect: AgentEffect) => {
    switch (effect.type) {
      case "effect.broadcastRfq":
        report({
          type: "sent",
          agent: p.name,
          to: "broadcast",
          kind: "rfq",
          sessionId: effect.sessionId,
          body: effect.rfq,
        });
        p.endpoint
          .sendRfq(effect.sessionId, effect.rfq)
          .catch((err: unknown) => log.warn("rfq failed", { error: String(err) }));
        return;
      case "effect.openSession":
        openSession(effect);
        return;
      case "effect.decline":
        send(effect.peer, effect.sessionId, { kind: "reject", body: { reason: effect.reason } });
        return;
      case "report":
        report({ type: "report", agent: p.name, what: effect.what, data: effect.data });
        return;
    }
  });

  const onRfq = (msg: RfqMessage) => {
    report({
      type: "received",
      agent: p.name,
      from: msg.from,
      kind: "rfq",
      sessionId: msg.sessionId,
      body: msg.body,
    });
    actor.send({ type: "rfq.received", from: msg.from, sessionId: msg.sessionId, rfq: msg.body as RfqBody });
  };

  const onMessage = (msg: SessionMessage, _meta: InboundMeta) => {
    report({
      type: "received",
      agent: p.name,
      from: msg.from,
      kind: msg.kind,
      sessionId: msg.sessionId,
      body: msg.body,
    });
    const session = sessions.get(sessionKey(msg.sessionId, msg.from));
    if (session) {
      session.send(toSessionEvent(msg));
      return;
    }
    // An opening offer for our own RFQ: the lifecycle machine collects them.
    if (msg.kind === "offer")
      actor.send({ type: "offer.opening", from: msg.from, sessionId: msg.sessionId, terms: msg.body.terms });
  };

  const unsubscribe = [p.endpoint.onRfq(onRfq), p.endpoint.onMessage(onMessage)];
  p.endpoint.listenRfqs("all");
  actor.start();

  return {
    name: p.name,
    address: p.signer.address,
    actor,
    poke: () => actor.send({ type: "tick" }),
    onActivity: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    stop: async () => {
      for (const u of unsubscribe) u();
      for (const s of sessions.values()) s.stop();
      actor.stop();
    },
  };
}
