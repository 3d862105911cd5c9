import { keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { newSigner, sampleAgreement, sessionIdOf, USDC } from "../../negotiation/wire/fixtures.ts";
import { borrowerDecision, HEALTH_ONE, lenderDecision } from "../margin-watch.ts";
import { checkMarginCall, DEFAULT_MARGIN_CALL_SECONDS, planMarginCall } from "./margin-call.ts";

const h = (x: number) => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
const lender = newSigner().address;
const borrower = newSigner().address;
const agreement = {
  ...sampleAgreement({ sessionId: sessionIdOf("m"), lender, borrower }),
  liquidationThresholdBps: 8_000,
  liquidationBonusBps: 500,
};
const id = keccak256(toHex("loan"));
const margin = (health: bigint) => ({ health, escrowed: 500n * HEALTH_ONE, owed: 10n ** 12n });
const NOW = 1_900_000_000n;

describe("planMarginCall", () => {
  it("calls in the warning band, with the amount and target of the decision and a deadline", () => {
    const m = margin(h(1.02));
    const decision = lenderDecision(m);
    const call = planMarginCall({ decision, health: m.health, agreement, id, nowSec: NOW });
    if (decision.action !== "ask-top-up") throw new Error("expected an ask");
    expect(call).toEqual({
      agreementId: id,
      health: h(1.02),
      targetHealth: h(1.25),
      amount: decision.amount,
      collateralToken: agreement.collateralToken,
      deadline: NOW + DEFAULT_MARGIN_CALL_SECONDS,
    });
    // The amount lifts health (proportional to the escrow) to the target.
    expect((m.escrowed + decision.amount) * m.health).toBeGreaterThanOrEqual(m.escrowed * h(1.25));
  });

  it("calls once per deadline, and not outside the band", () => {
    const m = margin(h(1.02));
    const decision = lenderDecision(m);
    const base = { decision, health: m.health, agreement, id };
    const deadline = NOW + 600n;
    expect(planMarginCall({ ...base, nowSec: NOW, lastDeadline: deadline })).toBeUndefined();
    expect(planMarginCall({ ...base, nowSec: deadline, lastDeadline: deadline })).toBeUndefined();
    expect(planMarginCall({ ...base, nowSec: deadline + 1n, lastDeadline: deadline })?.deadline).toBe(
      deadline + 1n + DEFAULT_MARGIN_CALL_SECONDS,
    );
    for (const x of [0.97, 1.2]) {
      const d = lenderDecision(margin(h(x)));
      expect(planMarginCall({ ...base, decision: d, health: h(x), nowSec: NOW })).toBeUndefined();
    }
  });
});

describe("checkMarginCall", () => {
  const call = (over: Partial<{ agreementId: `0x${string}`; collateralToken: `0x${string}` }> = {}) => ({
    agreementId: id,
    health: h(1.02),
    targetHealth: h(1.25),
    amount: 1n,
    collateralToken: agreement.collateralToken,
    deadline: NOW,
    ...over,
  });
  it("takes a call about our loan from its lender only", () => {
    const loan = { agreement, id };
    expect(checkMarginCall(lender, call(), loan)).toBeUndefined();
    expect(checkMarginCall(lender, call(), undefined)?.reason).toBe("no-such-loan");
    expect(checkMarginCall(lender, call(), { agreement })?.reason).toBe("no-such-loan");
    expect(checkMarginCall(lender, call({ agreementId: keccak256(toHex("x")) }), loan)?.reason).toBe(
      "no-such-loan",
    );
    const refused = checkMarginCall(borrower, call(), loan);
    expect(refused?.reason).toBe("not-the-lender");
    expect(refused?.code).toBe("MarginCallRefused");
    expect(checkMarginCall(lender, call({ collateralToken: USDC }), loan)?.reason).toBe("wrong-collateral");
  });
});

describe("borrowerDecision on a margin call", () => {
  it("tops up to the target from anywhere below it when called, only below its own line otherwise", () => {
    const m = margin(h(1.15));
    expect(borrowerDecision(m, 10_000n * HEALTH_ONE)).toEqual({ action: "none" });
    const called = borrowerDecision(m, 10_000n * HEALTH_ONE, undefined, true);
    expect(called.action).toBe("top-up");
    expect(borrowerDecision(margin(h(1.3)), 10_000n * HEALTH_ONE, undefined, true)).toEqual({
      action: "none",
    });
  });
});
