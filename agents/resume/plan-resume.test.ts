import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { sampleAgreement } from "../../negotiation/wire/fixtures.ts";
import { planAuction, planPendingAgreement, planSession } from "./plan-resume.ts";

const lender = "0x00000000000000000000000000000000000000a1" as Address;
const borrower = "0x00000000000000000000000000000000000000b2" as Address;
const sessionId = `0x${"ab".repeat(32)}` as Hex;
const agreement = { ...sampleAgreement({ sessionId, lender, borrower }), deadline: 1_000n };
const rfq = {
  principalToken: agreement.principalToken,
  principal: 1n,
  maxRateBps: 1,
  tenor: 1,
  collateralToken: agreement.collateralToken,
  collateral: 0n,
};

describe("planPendingAgreement", () => {
  it("an unsettled agreement past its deadline expires; a settled one never does", () => {
    expect(planPendingAgreement({ role: "lender", agreement }, "None", 1_001n)).toEqual({ kind: "expired" });
    expect(planPendingAgreement({ role: "lender", agreement }, "None", 1_000n)).toEqual({
      kind: "lenderLoan",
    });
    expect(planPendingAgreement({ role: "borrower", agreement }, "Active", 9_999n)).toEqual({
      kind: "borrowerLoan",
    });
  });
});

describe("planSession", () => {
  const mine = { agreement, signature: `0x${"11".repeat(65)}` as Hex };
  it("a signature of ours wins over the negotiation's deadline", () => {
    expect(planSession({ role: "lender", myLastAgreement: mine, deadline: 1 }, 5, 100)).toEqual({
      kind: "unconfirmedLender",
    });
    expect(planSession({ role: "borrower", myLastAgreement: mine }, 5, 100)).toEqual({
      kind: "unconfirmedBorrower",
    });
  });
  it("reopens a live session from its deadline, drops a dead or RFQ-less one", () => {
    expect(planSession({ role: "lender", rfq, deadline: 500 }, 400, 100)).toEqual({
      kind: "reopen",
      startedAt: 400,
    });
    expect(planSession({ role: "lender", rfq, deadline: 500 }, 500, 100)).toEqual({ kind: "drop" });
    expect(planSession({ role: "lender" }, 0, 100)).toEqual({ kind: "drop" });
  });
});

describe("planAuction", () => {
  const a = { sessionId, startedAt: 1_000, deadlineMs: 500, rfqSent: false, lenders: [] };
  it("a live auction nobody saw starts again; one being settled does not borrow again", () => {
    expect(planAuction(a, 1_200, new Set())).toEqual({ live: true, again: true, borrowing: true });
    expect(planAuction({ ...a, rfqSent: true }, 1_200, new Set())).toEqual({
      live: true,
      again: false,
      borrowing: true,
    });
    expect(planAuction(a, 1_200, new Set([sessionId]))).toMatchObject({ borrowing: false });
    expect(planAuction(a, 1_500, new Set())).toEqual({ live: false, again: false, borrowing: false });
  });
});
