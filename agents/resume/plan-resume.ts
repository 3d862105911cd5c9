/**
 * What a restarted agent does with each durable record, decided without I/O (resume-agent.ts reads
 * the records and the chain, asks these, and carries the answers out). Each function is a pure
 * mapping from a record and the clocks to a typed decision, tested in plan-resume.test.ts.
 */
import type { AgreementRecord } from "../../negotiation/durable/agreement-store.ts";
import type { AuctionRecord } from "../../negotiation/durable/auction-store.ts";
import type { SessionRecord } from "../../negotiation/durable/session-store.ts";
import type { LoanStatus } from "../settlement-port.ts";

/** A signed agreement of ours not known to be closed. */
export type PendingAgreementPlan =
  /** Never settled and past its deadline: it can never settle; the record closes. */
  | { kind: "expired" }
  /** Ours to settle (or, if settled, to service and repay) as borrower. */
  | { kind: "borrowerLoan" }
  /** Ours to watch as lender until it settles, then until it is repaid or defaults. */
  | { kind: "lenderLoan" };

export function planPendingAgreement(
  record: Pick<AgreementRecord, "role" | "agreement">,
  status: LoanStatus,
  nowSec: bigint,
): PendingAgreementPlan {
  if (status === "None" && record.agreement.deadline < nowSec) return { kind: "expired" };
  return record.role === "borrower" ? { kind: "borrowerLoan" } : { kind: "lenderLoan" };
}

/** A journaled negotiation session. */
export type SessionPlan =
  /** We signed as lender and waited for the confirm: the borrower may still settle it. */
  | { kind: "unconfirmedLender" }
  /** We signed (accepted) as borrower: take the signature back, or service the loan if settled. */
  | { kind: "unconfirmedBorrower" }
  /** Nothing signed and nothing left to negotiate (no RFQ, or past its deadline): forget it. */
  | { kind: "drop" }
  /** Still negotiable: reopen it from its journal. */
  | { kind: "reopen"; startedAt: number };

export function planSession(
  s: Pick<SessionRecord, "role" | "myLastAgreement" | "rfq" | "deadline">,
  nowMs: number,
  deadlineMs: number,
): SessionPlan {
  // A signature of ours comes first, whatever the negotiation's deadline: the agreement's own
  // deadline is what decides whether the peer can still settle it.
  if (s.myLastAgreement) return { kind: s.role === "lender" ? "unconfirmedLender" : "unconfirmedBorrower" };
  const expired = s.deadline !== undefined && s.deadline <= nowMs;
  if (!s.rfq || expired) return { kind: "drop" };
  return { kind: "reopen", startedAt: (s.deadline ?? nowMs + deadlineMs) - deadlineMs };
}

/** A journaled RFQ auction (borrower side). Every one is opened again: a dead one ends at once
 *  (its lenders are told, an accept of ours awaiting a confirm ends unconfirmed). */
export type AuctionPlan = {
  /** Still before its deadline. */
  live: boolean;
  /** Start again in the same session, sending the same RFQ (a fresh seq): it may never have left
   *  and nobody joined. */
  again: boolean;
  /** The agent machine goes back to borrowing in it (live, and no loan of it is being settled). */
  borrowing: boolean;
};

export function planAuction(
  a: Pick<AuctionRecord, "sessionId" | "startedAt" | "deadlineMs" | "rfqSent" | "lenders">,
  nowMs: number,
  settlingSessions: ReadonlySet<string>,
): AuctionPlan {
  const live = a.startedAt + a.deadlineMs > nowMs;
  return {
    live,
    again: live && a.rfqSent === false && a.lenders.length === 0,
    borrowing: live && !settlingSessions.has(a.sessionId.toLowerCase()),
  };
}
