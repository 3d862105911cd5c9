/**
 * An agent: one protocol's negotiator. It runs the lifecycle machine (agent-machine.ts), one
 * alternating-offers actor per open session, and connects them to the negotiation endpoint
 * (messages in and out) and the settlement port (the chain). Everything it does is reported
 * through `onActivity`, which is what transcripts and simulations read.
 *
 * Sealed-bid RFQs (docs/PROTOCOL.md §7.2): as lender the agent answers one with a sealed bid (commit,
 * then reveal) from its policy's `sealedBid`, never with an open offer; as borrower it asks for
 * sealed bids when created with `auctionMode: "sealed"`. A durable borrower journals its award (the
 * accept it signs) before it leaves, so a restart withdraws or services it like any unconfirmed
 * accept; a lender's bid in flight is not journaled (a restart leaves it unrevealed, which the
 * borrower disqualifies: nothing is signed), while a won bid's agreement is recorded before its
 * confirm, as for sessions.
 *
 * The wiring is split by idea: the public types (agent-types.ts), the durable agreement records
 * (agreement-records.ts), the two negotiation hosts (agent-negotiation-hosts.ts), the machine's
 * effects (agent-effects.ts), resume (resume/resume-agent.ts) and the risk loop (risk/).
 */
import { randomBytes } from "node:crypto";
import { bytesToHex } from "viem";
import { createActor } from "xstate";
import { type Agreement, hashAgreement } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import type { InboundMeta } from "../negotiation/endpoint.ts";
import { defaultSessionOptions } from "../negotiation/protocols/session-host.ts";
import { actorClock } from "../negotiation/timer-clock.ts";
import type { RfqBody, RfqMessage, SessionMessage } from "../negotiation/wire/schemas.ts";
import { createEffectDispatcher } from "./agent-effects.ts";
import { agentMachine } from "./agent-machine.ts";
import { createAgentAuctions, createAgentSessions } from "./agent-negotiation-hosts.ts";
import type { Activity, Agent, CreateAgentParameters } from "./agent-types.ts";
import { type AgentWiring, hostBase } from "./agent-wiring.ts";
import { createAgreementRecords } from "./agreement-records.ts";
import { createAuctionJournal } from "./auction-journal.ts";
import { createDurableSettlement } from "./durable-settlement.ts";
import { resumeAgent } from "./resume/resume-agent.ts";
import { createRiskAgent } from "./risk/risk-agent.ts";
import { createSealedBids } from "./sealed-bids.ts";
import { createSessionJournal } from "./session-journal.ts";

export type { Activity, Agent, AgentRiskParameters, CreateAgentParameters } from "./agent-types.ts";

export function createAgent(p: CreateAgentParameters): Agent {
  const log = (p.log ?? createLogger()).child({ agent: p.name });
  const clock = p.clock;
  const nowMs = () => (clock ? clock.now() : Date.now());
  const nowSec = p.nowSec ?? (() => BigInt(Math.floor(nowMs() / 1000)));
  const listeners = new Set<(a: Activity) => void>();
  const report = (a: Activity) => {
    for (const l of listeners) l(a);
  };

  const agreementId = (a: Agreement) => hashAgreement(p.domain, a);
  const durable = p.durable;
  const settlement = durable
    ? createDurableSettlement({
        port: p.settlement,
        store: durable.agreements,
        owner: durable.owner,
        agreementId,
      })
    : p.settlement;
  const journal = durable ? createSessionJournal(durable.sessions, log, nowMs) : undefined;
  const auctionJournal = durable ? createAuctionJournal(durable.auctions, log, clock) : undefined;
  const sessionOptions = { ...defaultSessionOptions, ...p.session };

  const actor = createActor(agentMachine, {
    input: {
      address: p.signer.address,
      adapter: p.adapter,
      settlement,
      policy: p.policy,
      pollMs: p.pollMs ?? 1_000,
      newSessionId: p.newSessionId ?? (() => bytesToHex(randomBytes(32))),
      agreementId,
      nowSec,
      log,
      ...(auctionJournal ? { awaitResume: true } : {}),
      ...(p.callLoans ? { callLoans: true } : {}),
    },
    ...actorClock(clock),
  });

  const records = createAgreementRecords({
    durable,
    settlement,
    agreementId,
    me: p.signer.address,
    clock,
    log,
  });
  const w: AgentWiring = {
    p,
    log,
    clock,
    nowSec,
    report,
    send: (e) => actor.send(e),
    records,
    journal,
    auctionJournal,
  };

  const sealed = createSealedBids({
    ...hostBase(w),
    name: p.name,
    options: p.sealedBid ?? {},
    report,
    send: (e) => actor.send(e),
    journal,
    recordAgreement: records.record,
    durable: durable !== undefined,
  });

  const auctions = createAgentAuctions(w);
  const sessions = createAgentSessions(w);
  actor.on(
    "*",
    createEffectDispatcher({ w, auctions, sealed, sessions, sessionDeadlineMs: sessionOptions.deadlineMs }),
  );

  const onRfq = (msg: RfqMessage) => {
    report({
      type: "received",
      agent: p.name,
      from: msg.from,
      kind: "rfq",
      sessionId: msg.sessionId,
      body: msg.body,
    });
    const rfq = msg.body as RfqBody;
    // The same RFQ again, in a session we lend in: its borrower restarted not knowing whether the
    // RFQ had left, and may have missed our offer (docs/PROTOCOL.md §7.1). Our session sends that
    // offer again if it is still waiting for the borrower's answer. Otherwise the machine decides:
    // it declines an RFQ whose session id is taken (a session in another state, another RFQ).
    const again = sessions.resendLast({ sessionId: msg.sessionId, peer: msg.from, rfq });
    if (again) {
      report({
        type: "sent",
        agent: p.name,
        to: msg.from,
        kind: again.kind,
        sessionId: msg.sessionId,
        body: again.body,
      });
      return;
    }
    actor.send({ type: "rfq.received", from: msg.from, sessionId: msg.sessionId, rfq });
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
    if (msg.kind === "margin.call") {
      actor.send({ type: "margin.call", from: msg.from, call: msg.body });
      return;
    }
    if (auctions.route(msg) || sealed.route(msg)) return;
    if (sessions.route(msg)) journal?.received(msg);
  };

  const resume = async () => {
    if (!durable) return { loans: 0, sessions: 0, auctions: 0 };
    try {
      return await resumeAgent({
        stores: durable,
        settlement,
        adapter: p.adapter,
        policy: p.policy,
        agreementId,
        nowSec,
        nowMs,
        sessionDeadlineMs: sessionOptions.deadlineMs,
        send: (e) => actor.send(e),
        finishSession: (sessionId, peer) => journal?.finished(sessionId, peer),
        sessions,
        auctions,
      });
    } finally {
      actor.send({ type: "resume.done" });
    }
  };

  const risk = p.risk
    ? createRiskAgent({
        ...(clock ? { clock } : {}),
        ...p.risk,
        name: p.name,
        signer: p.signer,
        domain: p.domain,
        adapter: p.adapter,
        log,
      })
    : undefined;
  risk?.onActivity((event) => report({ type: "risk", agent: p.name, event }));

  const unsubscribe = [p.endpoint.onRfq(onRfq), p.endpoint.onMessage(onMessage)];
  p.endpoint.listenRfqs("all");
  actor.start();

  return {
    name: p.name,
    address: p.signer.address,
    actor,
    risk,
    poke: () => actor.send({ type: "tick" }),
    resume,
    onActivity: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    stop: async () => {
      for (const u of unsubscribe) u();
      risk?.stop();
      auctions.stop();
      sealed.stop();
      sessions.stop();
      actor.stop();
      await Promise.all([journal?.flush(), auctionJournal?.flush()]);
    },
  };
}
