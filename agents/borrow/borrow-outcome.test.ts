import { describe, expect, it } from "vitest";
import { ArbiterRevertError } from "../../arbitration/errors.ts";
import { newSigner, sampleAgreement, sessionIdOf } from "../../negotiation/wire/fixtures.ts";
import type { AgentEvent } from "../agent-events.ts";
import { SettlementClaimedElsewhereError } from "../durable-settlement.ts";
import {
  beforeLoanDeadline,
  borrowEndOf,
  settlementRetryable,
  signedLoanOf,
  unconfirmedLoanOf,
} from "./borrow-outcome.ts";

const sessionId = sessionIdOf("borrow");
const lender = newSigner().address;
const agreement = sampleAgreement({ sessionId, lender, borrower: newSigner().address });
const sig = `0x${"11".repeat(65)}` as const;
const agreed = {
  status: "agreed" as const,
  agreement,
  lenderSignature: sig,
  borrowerSignature: sig,
  rounds: 2,
};
const unconfirmed = { status: "unconfirmed" as const, agreement, mySignature: sig, rounds: 2 };

describe("borrowEndOf", () => {
  it("reads an auction's or a borrower session's end in our session, nothing else", () => {
    const session = (outcome: unknown, side = "borrower") =>
      ({ type: "session.finished", side, sessionId, peer: lender, outcome }) as AgentEvent;
    expect(borrowEndOf(session(agreed), sessionId)).toBe("agreed");
    expect(borrowEndOf(session(unconfirmed), sessionId)).toBe("unconfirmed");
    expect(borrowEndOf(session({ status: "failed", reason: "x", rounds: 1 }), sessionId)).toBe("failed");
    expect(borrowEndOf(session(agreed, "lender"), sessionId)).toBeUndefined();
    expect(borrowEndOf(session(agreed), sessionIdOf("other"))).toBeUndefined();
    expect(borrowEndOf(session(agreed), undefined)).toBeUndefined();
    const auction = { type: "auction.finished", sessionId, outcome: { status: "no-deal", reason: "none" } };
    expect(borrowEndOf(auction as AgentEvent, sessionId)).toBe("failed");
    expect(borrowEndOf({ type: "tick" }, sessionId)).toBeUndefined();
  });

  it("takes the loan a signed or unconfirmed end leaves", () => {
    const session = (outcome: unknown) =>
      ({ type: "session.finished", side: "borrower", sessionId, peer: lender, outcome }) as AgentEvent;
    expect(signedLoanOf(session(agreed))).toEqual({
      agreement,
      lenderSignature: sig,
      borrowerSignature: sig,
    });
    expect(signedLoanOf(session(unconfirmed))).toBeUndefined();
    expect(unconfirmedLoanOf(session(unconfirmed))).toEqual({ agreement, borrowerSignature: sig });
    expect(unconfirmedLoanOf({ type: "resume.unconfirmed", agreement, mySignature: sig })).toEqual({
      agreement,
      borrowerSignature: sig,
    });
    expect(unconfirmedLoanOf(session(agreed))).toBeUndefined();
  });
});

describe("settlementRetryable", () => {
  it("retries a transient failure until the agreement's deadline, never a refusal", () => {
    const loan = { agreement };
    const at = agreement.deadline;
    expect(beforeLoanDeadline(loan, at)).toBe(true);
    expect(beforeLoanDeadline(loan, at + 1n)).toBe(false);
    expect(beforeLoanDeadline(undefined, 0n)).toBe(false);
    expect(settlementRetryable(new Error("node unreachable"), loan, at)).toBe(true);
    expect(settlementRetryable(new Error("node unreachable"), loan, at + 1n)).toBe(false);
    const claimed = Object.create(SettlementClaimedElsewhereError.prototype) as Error;
    expect(settlementRetryable(claimed, loan, at)).toBe(false);
    const reverted = Object.create(ArbiterRevertError.prototype) as Error;
    expect(settlementRetryable(reverted, loan, at)).toBe(false);
  });
});
