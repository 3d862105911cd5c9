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
 */
import { randomBytes } from "node:crypto";
import { type Address, bytesToHex, type Hex, zeroAddress } from "viem";
import { type Actor, createActor } from "xstate";
import { type Agreement, type ArbiterDomain, hashAgreement } from "../core/agreement.ts";
import type { NonceAllocator } from "../core/agreement-nonce.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import type { AgreementStore } from "../negotiation/durable/agreement-store.ts";
import type { AuctionStore } from "../negotiation/durable/auction-store.ts";
import type { SessionStore } from "../negotiation/durable/session-store.ts";
import type { Endpoint, InboundMeta } from "../negotiation/endpoint.ts";
import type { OutboundEvent, SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import { type AuctionOptions, createRfqAuctionHost } from "../negotiation/protocols/rfq-auction-host.ts";
import type { SealedBidLenderOptions, SealedBidOptions } from "../negotiation/protocols/sealed-bid-host.ts";
import {
  createSessionHost,
  defaultSessionOptions,
  type SessionOptions,
} from "../negotiation/protocols/session-host.ts";
import type { Side } from "../negotiation/strategies/strategy.ts";
import { actorClock, type TimerClock } from "../negotiation/timer-clock.ts";
import type { RfqBody, RfqMessage, SessionMessage } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { type AgentEffect, agentMachine } from "./agent-machine.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import { createAuctionJournal } from "./auction-journal.ts";
import { createDurableSettlement } from "./durable-settlement.ts";
import { resumeAgent } from "./resume/resume-agent.ts";
import { retryWithBackoff } from "./retry.ts";
import {
  type CreateRiskAgentParameters,
  createRiskAgent,
  type RiskActivity,
  type RiskAgent,
} from "./risk/risk-agent.ts";
import { createSealedBids } from "./sealed-bids.ts";
import { createSessionJournal } from "./session-journal.ts";
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
  /** Bilateral session limits (lender side, and resumed sessions). */
  session?: Partial<SessionOptions>;
  /** RFQ auction limits (borrower side): admission window, rounds, deadline, lenders. */
  auction?: Partial<AuctionOptions>;
  /** How this agent borrows: an open RFQ auction (default) or sealed bids. */
  auctionMode?: "open" | "sealed";
  /** Sealed-bid limits, as borrower (commit and reveal windows) and as lender (reveal delay). */
  sealedBid?: Partial<SealedBidOptions & SealedBidLenderOptions>;
  /** Unix seconds on the settlement chain. Defaults to `clock`'s seconds. */
  nowSec?: () => bigint;
  /** The clock every timer and timestamp of the agent runs on: its machines' xstate delays, its
   *  negotiations' deadlines, retries, the risk loop (unless `risk.clock` is given). The
   *  simulator passes a SimulatedClock to drive the agent step by step. Default: the wall clock. */
  clock?: TimerClock;
  /** New session ids (32 bytes). Default: random. The simulator passes a seeded source so a
   *  study's transcript repeats byte for byte. */
  newSessionId?: () => Hex;
  /** Our agreement nonces. Default: this process's allocator for our address (seeded from the
   *  wall clock); the simulator passes one per run. */
  nonces?: NonceAllocator;
  /** Durable state (JetStream KV, see negotiation/durable): with it, signed agreements are
   *  claimed before settlement and open sessions are journaled, and `resume()` picks them up
   *  after a restart. Without it, state lives and dies with the process (simulations). */
  durable?: {
    sessions: SessionStore;
    agreements: AgreementStore;
    /** Running RFQ auctions (borrower side), journaled as they move and resumed by `resume()`.
     *  A durable agent starts borrowing only once `resume()` has run (a restarted borrower must
     *  not open a new auction beside the one it resumes): call it right after createAgent. */
    auctions: AuctionStore;
    /** Unique per process, e.g. `${address}:${randomUUID()}`. */
    owner: string;
  };
  /** As lender, call loans whose callRiskLevel the on-chain risk level reaches. Default false. */
  callLoans?: boolean;
  /** The risk loop (agents/risk): signed snapshots, alert proposals and votes on the risk
   *  subjects, de-risking through the adapter's stance. Off when absent. */
  risk?: AgentRiskParameters;
  log?: Logger;
};

export type AgentRiskParameters = Omit<
  CreateRiskAgentParameters,
  "name" | "signer" | "domain" | "adapter" | "log"
>;

export type Activity =
  | { type: "sent"; agent: string; to: Address | "broadcast"; kind: string; sessionId: Hex; body: unknown }
  | { type: "received"; agent: string; from: Address; kind: string; sessionId: Hex; body: unknown }
  | { type: "session"; agent: string; side: Side; sessionId: Hex; peer: Address; outcome: SessionOutcome }
  | { type: "report"; agent: string; what: string; data: Record<string, unknown> }
  | { type: "risk"; agent: string; event: RiskActivity };

export interface Agent {
  readonly name: string;
  readonly address: Address;
  readonly actor: Actor<typeof agentMachine>;
  /** The risk loop, when created with `risk`. */
  readonly risk: RiskAgent | undefined;
  /** Looks at the protocol now instead of at the next poll. */
  poke(): void;
  onActivity(listener: (a: Activity) => void): () => void;
  /** After a restart: resumes settling or watching stored agreements and reopens journaled
   *  sessions and auctions (auctions past their deadline are ended; one whose RFQ may not have
   *  left starts again in its session, sending that RFQ again). Call once, right after
   *  createAgent. A no-op without `durable`. */
  resume(): Promise<{ loans: number; sessions: number; auctions: number }>;
  stop(): Promise<void>;
}

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

  // A signed agreement's record must land even if the store is briefly away (a NATS restart):
  // retried with backoff for about half a minute before the failure is reported.
  const recordAgreement = (role: "lender" | "borrower", signed: NonNullable<OutboundEvent["signed"]>) =>
    durable
      ? retryWithBackoff(() => durable.agreements.put(agreementId(signed.agreement), { role, ...signed }), {
          attempts: 8,
          firstDelayMs: 200,
          maxDelayMs: 5_000,
          ...(clock ? { clock } : {}),
          onRetry: (error, attempt) =>
            log.warn("recording agreement failed, retrying", { attempt, error: String(error) }),
        })
      : Promise.resolve(undefined);

  // Before we countersign, the fully signed agreement is on disk: a crash right after cannot
  // leave the peer holding both signatures while we hold none.
  const recordBeforeConfirm = async (_to: Address, _sessionId: Hex, ev: OutboundEvent) => {
    if (!durable || !ev.signed) return;
    const side =
      ev.signed.agreement.lender.toLowerCase() === p.signer.address.toLowerCase() ? "lender" : "borrower";
    await recordAgreement(side, ev.signed);
  };

  const sealed = createSealedBids({
    name: p.name,
    endpoint: p.endpoint,
    signer: p.signer,
    domain: p.domain,
    options: p.sealedBid ?? {},
    nowSec,
    ...(clock ? { clock } : {}),
    ...(p.nonces ? { nonces: p.nonces } : {}),
    log,
    report,
    send: (e) => actor.send(e),
    journal,
    recordAgreement,
    durable: durable !== undefined,
  });

  const auctions = createRfqAuctionHost({
    endpoint: p.endpoint,
    signer: p.signer,
    domain: p.domain,
    options: p.auction ?? {},
    nowSec,
    ...(clock ? { clock } : {}),
    ...(p.nonces ? { nonces: p.nonces } : {}),
    log,
    onSent: (to, sessionId, m) =>
      report({
        type: "sent",
        agent: p.name,
        to: to === zeroAddress ? "broadcast" : to,
        kind: m.kind,
        sessionId,
        body: m.body,
      }),
    // Our signature (accept or confirm) is journaled before it leaves: a restarted agent then
    // knows the lender it signed for and signs for no other.
    beforeSend: async (to, sessionId, ev) => {
      const m = ev.message;
      const signed =
        m.kind === "accept"
          ? { agreement: m.body.agreement, mySignature: m.body.signature }
          : m.kind === "confirm" && ev.signed
            ? {
                agreement: ev.signed.agreement,
                mySignature: ev.signed.borrowerSignature,
                theirSignature: ev.signed.lenderSignature,
              }
            : undefined;
      // Write-ahead: the auction's state as of this message (a lender that joined, our offer)
      // lands before the message leaves, so a process killed right after sending resumes from
      // it. The progress of the transition that sent it is reported once that transition is
      // over, which is before our first await resumes.
      await Promise.resolve();
      await Promise.all([
        recordBeforeConfirm(to, sessionId, ev),
        signed && auctionJournal?.signed(sessionId, to, signed),
        auctionJournal?.landed(sessionId),
      ]);
    },
    ...(auctionJournal
      ? {
          onProgress: (entry) => auctionJournal.progress(entry),
          // The RFQ too: the auction is on disk before any lender can see it, so a restart finds
          // it and never opens a second auction beside it.
          beforeBroadcast: (entry) => auctionJournal.broadcasting(entry),
        }
      : {}),
    onFinished: ({ sessionId, outcome }) => {
      const asSession: SessionOutcome =
        outcome.status === "no-deal"
          ? { status: "failed", reason: outcome.reason, rounds: 0 }
          : outcome.status === "agreed"
            ? {
                status: "agreed",
                agreement: outcome.agreement,
                lenderSignature: outcome.lenderSignature,
                borrowerSignature: outcome.borrowerSignature,
                rounds: outcome.rounds,
              }
            : {
                status: "unconfirmed",
                agreement: outcome.agreement,
                mySignature: outcome.mySignature,
                rounds: outcome.rounds,
              };
      const peer = outcome.status === "no-deal" ? zeroAddress : outcome.lender;
      if (durable && outcome.status === "agreed") {
        // As for sessions, the auction's record goes only once the agreement's is written; if
        // that fails, it stays, and a restart finds the auction agreed.
        const { agreement, lenderSignature, borrowerSignature } = outcome;
        recordAgreement("borrower", { agreement, lenderSignature, borrowerSignature }).then(
          () => auctionJournal?.finished(sessionId),
          (err: unknown) => log.error("recording agreement failed", { error: String(err) }),
        );
      } else auctionJournal?.finished(sessionId);
      report({ type: "session", agent: p.name, side: "borrower", sessionId, peer, outcome: asSession });
      actor.send({ type: "auction.finished", sessionId, outcome });
    },
  });

  const sessions = createSessionHost({
    endpoint: p.endpoint,
    signer: p.signer,
    domain: p.domain,
    options: p.session ?? {},
    nowSec,
    ...(clock ? { clock } : {}),
    ...(p.nonces ? { nonces: p.nonces } : {}),
    log,
    onSent: (to, sessionId, m) => {
      journal?.sent(to, sessionId, m);
      report({ type: "sent", agent: p.name, to, kind: m.kind, sessionId, body: m.body });
    },
    // Write-ahead, as for auctions: the journal entry of this message (written from onSent,
    // which runs first) lands before the message leaves.
    beforeSend: async (to, sessionId, ev) => {
      await Promise.all([recordBeforeConfirm(to, sessionId, ev), journal?.landed(sessionId, to)]);
    },
    onFinished: (f) => {
      if (durable && f.outcome.status === "agreed") {
        // The accepter records here (the confirmer already did, in beforeSend); the journal entry
        // goes only after, so at every moment one of the two records exists.
        const { agreement, lenderSignature, borrowerSignature } = f.outcome;
        const recorded = recordAgreement(f.side, { agreement, lenderSignature, borrowerSignature }).catch(
          (err: unknown) => log.error("recording agreement failed", { error: String(err) }),
        );
        void recorded.then(() => journal?.finished(f.sessionId, f.peer));
      } else journal?.finished(f.sessionId, f.peer);
      report({ type: "session", agent: p.name, ...f });
      actor.send({ type: "session.finished", ...f });
    },
  });

  actor.on("*", (effect: AgentEffect) => {
    switch (effect.type) {
      case "effect.openAuction":
        if (p.auctionMode === "sealed") {
          sealed.openAuction({
            sessionId: effect.sessionId,
            rfq: effect.rfq,
            strategy: effect.strategyFor(),
            score: (terms) => p.policy.scoreOffer(terms),
          });
          return;
        }
        auctions.open({
          sessionId: effect.sessionId,
          rfq: effect.rfq,
          strategyFor: effect.strategyFor,
          score: (terms) => p.policy.scoreOffer(terms),
        });
        return;
      case "effect.placeSealedBid": {
        const placed = sealed.placeBid({
          sessionId: effect.sessionId,
          borrower: effect.peer,
          rfq: effect.rfq,
          terms: effect.terms,
        });
        if (!placed) {
          // Too close to its commit deadline (or a bid of ours is in it already): nothing was sent.
          const outcome: SessionOutcome = { status: "failed", reason: "sealed bid not placed", rounds: 0 };
          actor.send({
            type: "session.finished",
            side: "lender",
            sessionId: effect.sessionId,
            peer: effect.peer,
            outcome,
          });
        }
        return;
      }
      case "effect.openSession":
        // The record first: opening sends our first offer, whose journal entry updates it.
        journal?.opened(effect, sessionOptions.deadlineMs);
        sessions.open(effect);
        return;
      case "effect.loanClosed":
        if (durable) void closeLenderRecord(effect);
        return;
      case "effect.marginCall": {
        // In the loan's own session (its id): the borrower's replay memory holds our seq there.
        const { to, call } = effect;
        p.endpoint.send(to, call.agreementId, "margin.call", call).then(
          (m) =>
            report({
              type: "sent",
              agent: p.name,
              to,
              kind: m.message.kind,
              sessionId: m.message.sessionId,
              body: call,
            }),
          (err: unknown) => log.warn("sending a margin call failed", { to, error: String(err) }),
        );
        return;
      }
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

  // The lender's record of a loan ends when the loan does (repaid, defaulted, never settled).
  const closeLenderRecord = async ({ id, status }: Extract<AgentEffect, { type: "effect.loanClosed" }>) => {
    if (!durable) return;
    try {
      if (status === "expired") await durable.agreements.markExpired(id);
      else {
        const tx = await settlement.settlementTx(id);
        if (tx) await durable.agreements.markSettled(id, tx);
      }
    } catch (err) {
      log.warn("closing agreement record failed", { error: String(err) });
    }
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
