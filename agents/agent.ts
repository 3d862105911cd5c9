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
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import { createSessionHost, type SessionOptions } from "../negotiation/protocols/session-host.ts";
import type { Side } from "../negotiation/strategies/strategy.ts";
import type { RfqBody, RfqMessage, SessionMessage } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { type AgentEffect, agentMachine } from "./agent-machine.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import type { SettlementPort } from "./settlement-port.ts";

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

export function createAgent(p: CreateAgentParameters): Agent {
  const log = (p.log ?? createLogger()).child({ agent: p.name });
  const nowSec = p.nowSec ?? (() => BigInt(Math.floor(Date.now() / 1000)));
  const listeners = new Set<(a: Activity) => void>();
  const report = (a: Activity) => {
    for (const l of listeners) l(a);
  };

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

  const sessions = createSessionHost({
    endpoint: p.endpoint,
    signer: p.signer,
    domain: p.domain,
    options: p.session ?? {},
    nowSec,
    log,
    onSent: (to, sessionId, m) =>
      report({ type: "sent", agent: p.name, to, kind: m.kind, sessionId, body: m.body }),
    onFinished: (f) => {
      report({ type: "session", agent: p.name, ...f });
      actor.send({ type: "session.finished", ...f });
    },
  });

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
        sessions.open(effect);
        return;
      case "effect.decline":
        report({
          type: "sent",
          agent: p.name,
          to: effect.peer,
          kind: "reject",
          sessionId: effect.sessionId,
          body: { reason: effect.reason },
        });
        p.endpoint
          .send(effect.peer, effect.sessionId, "reject", { reason: effect.reason })
          .catch((err: unknown) => log.warn("decline failed", { error: String(err) }));
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
    if (sessions.route(msg)) return;
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
      sessions.stop();
      actor.stop();
    },
  };
}
