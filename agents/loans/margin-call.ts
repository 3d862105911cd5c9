/**
 * Margin calls between agents (docs/PROTOCOL.md §11), the pure part: when a lender's agent sends one
 * (planMarginCall) and whether a borrower's agent takes one it received (checkMarginCall). No I/O:
 * the lender's loan machine reads health and sends, the borrower's agent machine tops up.
 *
 * One call per window: a lender asks when health is in the warning band (margin-watch.ts
 * lenderDecision), then not again until the call's deadline has passed. It liquidates whenever the
 * loan is liquidatable, call or not: the deadline is the borrower's time to act, not a grace period.
 */
import type { Address, Hex } from "viem";
import type { Agreement } from "../../core/agreement.ts";
import { BaseError } from "../../core/errors.ts";
import type { MarginCallBody } from "../../negotiation/wire/schemas.ts";
import {
  defaultMarginWatchParameters,
  type MarginDecision,
  type MarginWatchParameters,
} from "../margin-watch.ts";

/** Seconds a borrower gets to answer a margin call (chain clock). Default one hour. */
export const DEFAULT_MARGIN_CALL_SECONDS = 3_600n;

export type PlanMarginCallParameters = {
  decision: MarginDecision;
  /** Health just read (WAD). */
  health: bigint;
  agreement: Agreement;
  id: Hex;
  nowSec: bigint;
  /** Deadline of the last call we sent about this loan, if any. */
  lastDeadline?: bigint | undefined;
  callSeconds?: bigint;
  params?: MarginWatchParameters;
};

/** The margin call to send now, or undefined (no ask, or the last call's deadline has not passed). */
export function planMarginCall(p: PlanMarginCallParameters): MarginCallBody | undefined {
  if (p.decision.action !== "ask-top-up" || p.decision.amount <= 0n) return undefined;
  if (p.lastDeadline !== undefined && p.nowSec <= p.lastDeadline) return undefined;
  const targetHealth = (p.params ?? defaultMarginWatchParameters).borrowerTarget;
  if (targetHealth <= p.health) return undefined;
  return {
    agreementId: p.id,
    health: p.health,
    targetHealth,
    amount: p.decision.amount,
    collateralToken: p.agreement.collateralToken,
    deadline: p.nowSec + (p.callSeconds ?? DEFAULT_MARGIN_CALL_SECONDS),
  };
}

export type MarginCallRefusal = "no-such-loan" | "not-the-lender" | "wrong-collateral";

/** A margin call the borrower's agent did not act on: valid on the wire, wrong for its loans. */
export class MarginCallRefusedError extends BaseError {
  override name = "MarginCallRefusedError";
  override readonly code = "MarginCallRefused";
  readonly reason: MarginCallRefusal;
  constructor(params: { reason: MarginCallRefusal; from: Address; agreementId: Hex }) {
    const why = {
      "no-such-loan": "we have no active loan with this id",
      "not-the-lender": "its sender is not the loan's lender",
      "wrong-collateral": "its collateral token is not the loan's",
    }[params.reason];
    super(`Margin call from ${params.from} about ${params.agreementId} ignored: ${why}.`, {
      metaMessages: ["Only the lender of an active margined loan may call it, naming the loan's collateral."],
    });
    this.reason = params.reason;
  }
}

/** The borrower's current loan as its agent knows it. */
export type BorrowedLoan = { agreement: Agreement; id?: Hex | undefined };

/** Undefined when `call` from `from` is about `loan` and comes from its lender; else why not. */
export function checkMarginCall(
  from: Address,
  call: MarginCallBody,
  loan: BorrowedLoan | undefined,
): MarginCallRefusedError | undefined {
  const refuse = (reason: MarginCallRefusal) =>
    new MarginCallRefusedError({ reason, from, agreementId: call.agreementId });
  if (!loan?.id || loan.id.toLowerCase() !== call.agreementId.toLowerCase()) return refuse("no-such-loan");
  if (loan.agreement.lender.toLowerCase() !== from.toLowerCase()) return refuse("not-the-lender");
  if (loan.agreement.collateralToken.toLowerCase() !== call.collateralToken.toLowerCase())
    return refuse("wrong-collateral");
  return undefined;
}
