/**
 * A restarted agent picks up what its durable records hold: signed agreements (settle, service or
 * close them), journaled sessions (reopen, or end a signature of ours that went unconfirmed) and
 * RFQ auctions (reopen; a dead one ends at once). The decisions are plan-resume.ts's; this file
 * reads the records and the chain and carries them out by sending the agent machine typed events
 * and reopening negotiation hosts.
 */
import type { Hex } from "viem";
import type { Agreement } from "../../core/agreement.ts";
import type { AgreementStore } from "../../negotiation/durable/agreement-store.ts";
import type { AuctionStore } from "../../negotiation/durable/auction-store.ts";
import type { SessionStore } from "../../negotiation/durable/session-store.ts";
import type { RfqAuctionHost } from "../../negotiation/protocols/rfq-auction-host.ts";
import type { SessionHost } from "../../negotiation/protocols/session-host.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import type { AgentEvent } from "../agent-machine.ts";
import type { AgentPolicy } from "../agent-policy.ts";
import { auctionResumeOf } from "../auction-journal.ts";
import type { SettlementPort } from "../settlement-port.ts";
import { planAuction, planPendingAgreement, planSession } from "./plan-resume.ts";

export type ResumeAgentParameters = {
  stores: { sessions: SessionStore; agreements: AgreementStore; auctions: AuctionStore };
  settlement: SettlementPort;
  adapter: ProtocolAdapter;
  policy: AgentPolicy;
  agreementId: (a: Agreement) => Hex;
  nowSec: () => bigint;
  nowMs: () => number;
  /** The bilateral negotiation's deadline, ms (a journaled session's start is derived from it). */
  sessionDeadlineMs: number;
  send: (event: AgentEvent) => void;
  /** Ends a journaled session's record. */
  finishSession: (sessionId: Hex, peer: `0x${string}`) => void;
  sessions: Pick<SessionHost, "open">;
  auctions: Pick<RfqAuctionHost, "open">;
};

export type ResumeAgentReturnType = { loans: number; sessions: number; auctions: number };

export async function resumeAgent(p: ResumeAgentParameters): Promise<ResumeAgentReturnType> {
  const { stores, send } = p;
  let loans = 0;
  let reopened = 0;
  /** Sessions whose signed loan is being settled already. */
  const settling = new Set<string>();
  for (const r of await stores.agreements.pending()) {
    const id = p.agreementId(r.agreement);
    const plan = planPendingAgreement(r, await p.settlement.status(id), p.nowSec());
    if (plan.kind === "expired") {
      await stores.agreements.markExpired(id);
      continue;
    }
    const signed = {
      agreement: r.agreement,
      lenderSignature: r.lenderSignature,
      borrowerSignature: r.borrowerSignature,
    };
    if (plan.kind === "borrowerLoan") {
      send({ type: "resume.loan", ...signed });
      settling.add(r.agreement.sessionId.toLowerCase());
    } else {
      send({
        type: "session.finished",
        side: "lender",
        sessionId: r.agreement.sessionId,
        peer: r.agreement.borrower,
        outcome: { status: "agreed", ...signed, rounds: 0 },
      });
    }
    loans++;
  }
  for (const s of await stores.sessions.list()) {
    const plan = planSession(s, p.nowMs(), p.sessionDeadlineMs);
    if (plan.kind === "unconfirmedLender" && s.myLastAgreement) {
      send({
        type: "session.finished",
        side: "lender",
        sessionId: s.sessionId,
        peer: s.peer,
        outcome: {
          status: "unconfirmed",
          agreement: s.myLastAgreement.agreement,
          mySignature: s.myLastAgreement.signature,
          rounds: s.round,
        },
      });
    } else if (plan.kind === "unconfirmedBorrower" && s.myLastAgreement) {
      send({
        type: "resume.unconfirmed",
        agreement: s.myLastAgreement.agreement,
        mySignature: s.myLastAgreement.signature,
      });
    }
    if (plan.kind !== "reopen" || !s.rfq) {
      p.finishSession(s.sessionId, s.peer);
      continue;
    }
    const state = await p.adapter.snapshot();
    const strategy =
      s.role === "lender"
        ? p.policy.lenderStrategy(state, s.rfq, 0n)
        : p.policy.borrowerStrategy(state, s.rfq);
    if (!strategy) {
      p.finishSession(s.sessionId, s.peer);
      continue;
    }
    if (s.role === "lender")
      send({ type: "resume.lending", sessionId: s.sessionId, principal: s.rfq.principal });
    else send({ type: "resume.borrowing", sessionId: s.sessionId, rfq: s.rfq, lender: s.peer });
    p.sessions.open({
      side: s.role,
      sessionId: s.sessionId,
      peer: s.peer,
      rfq: s.rfq,
      strategy,
      resume: {
        round: s.round,
        myLast: s.lastOfferSent,
        theirLast: s.lastOfferReceived,
        startedAt: plan.startedAt,
      },
    });
    reopened++;
  }
  return { loans, sessions: reopened, auctions: await resumeAuctions(p, settling) };
}

// A live auction whose RFQ is not known to have left and that nobody joined starts again in the
// same session: a lender that never saw the RFQ joins now; one that did and still waits for our
// answer sends its offer again and joins as a newcomer (docs/PROTOCOL.md §7.1).
async function resumeAuctions(p: ResumeAgentParameters, settling: Set<string>): Promise<number> {
  const records = await p.stores.auctions.list();
  if (records.length === 0) return 0;
  const state = await p.adapter.snapshot();
  let reopened = 0;
  for (const a of records) {
    const plan = planAuction(a, p.nowMs(), settling);
    // Its agreement is being settled already (resume.loan): the auction only ends its lenders.
    if (plan.borrowing) {
      p.send({ type: "resume.borrowing", sessionId: a.sessionId, rfq: a.rfq });
      reopened++;
    }
    p.auctions.open({
      sessionId: a.sessionId,
      rfq: a.rfq,
      strategyFor: () => p.policy.borrowerStrategy(state, a.rfq),
      score: (terms) => p.policy.scoreOffer(terms),
      options: { deadlineMs: a.deadlineMs, admissionMs: a.admissionMs },
      ...(plan.again ? {} : { resume: auctionResumeOf(a) }),
    });
  }
  return reopened;
}
