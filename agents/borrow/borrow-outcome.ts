/**
 * The borrower's pure decisions in the agent machine: how a negotiation's end moves the borrowing
 * (signed, unconfirmed, or nothing), which loan it leaves, and whether a failed settlement is worth
 * retrying. No I/O; the machine's guards and assigns call these.
 */
import type { Hex } from "viem";
import { ArbiterRevertError } from "../../arbitration/errors.ts";
import type { AgentEvent, Loan } from "../agent-events.ts";
import { SettlementClaimedElsewhereError } from "../durable-settlement.ts";

export type BorrowEnd = "agreed" | "unconfirmed" | "failed";

/** How `event` ends our borrowing in session `sessionId`: an RFQ auction, or after a restart a
 *  resumed bilateral session, that finished. Undefined for anything else. */
export function borrowEndOf(event: AgentEvent, sessionId: Hex | undefined): BorrowEnd | undefined {
  const ours =
    event.type === "auction.finished" || (event.type === "session.finished" && event.side === "borrower");
  if (!ours || event.sessionId !== sessionId) return undefined;
  const status = event.outcome.status;
  return status === "agreed" || status === "unconfirmed" ? status : "failed";
}

/** The loan a negotiation signed by both sides leaves us. */
export function signedLoanOf(event: AgentEvent): Loan | undefined {
  if (event.type !== "session.finished" && event.type !== "auction.finished") return undefined;
  const o = event.outcome;
  if (o.status !== "agreed") return undefined;
  return {
    agreement: o.agreement,
    lenderSignature: o.lenderSignature,
    borrowerSignature: o.borrowerSignature,
  };
}

/** The loan we signed and our lender never confirmed (from a negotiation or a restart). */
export function unconfirmedLoanOf(event: AgentEvent): Loan | undefined {
  if (event.type === "resume.unconfirmed")
    return { agreement: event.agreement, borrowerSignature: event.mySignature };
  if (event.type !== "session.finished" && event.type !== "auction.finished") return undefined;
  const o = event.outcome;
  return o.status === "unconfirmed"
    ? { agreement: o.agreement, borrowerSignature: o.mySignature }
    : undefined;
}

/** The current loan's agreement can still settle (its deadline has not passed). */
export function beforeLoanDeadline(loan: Loan | undefined, nowSec: bigint): boolean {
  return loan !== undefined && nowSec <= loan.agreement.deadline;
}

/** A settlement that failed with `error` is worth another try: not when the contract said no or
 *  another process of ours holds the claim, and only before the agreement's deadline. */
export function settlementRetryable(error: unknown, loan: Loan | undefined, nowSec: bigint): boolean {
  if (error instanceof ArbiterRevertError || error instanceof SettlementClaimedElsewhereError) return false;
  return beforeLoanDeadline(loan, nowSec);
}
