import { describe, expect, it } from "vitest";
import { concession, createTimeDependentStrategy } from "./time-dependent.ts";

const template = {
  principal: 1_000_000n,
  tenor: 86_400,
  collateralToken: "0x0000000000000000000000000000000000000001" as const,
  collateral: 500n,
  haircutBps: 2000,
};
const view = (round: number, elapsed = 0) => ({
  side: "lender" as const,
  round,
  maxRounds: 5,
  elapsed,
  myLast: undefined,
  theirLast: undefined,
});

describe("time-dependent strategies", () => {
  it("Boulware concedes less early than linear, conceder more", () => {
    const mid = { round: 2, maxRounds: 5, elapsed: 0 };
    expect(concession(mid, 0.3)).toBeLessThan(concession(mid, 1));
    expect(concession(mid, 3)).toBeGreaterThan(concession(mid, 1));
    expect(concession({ round: 4, maxRounds: 5, elapsed: 0 }, 0.3)).toBe(1);
  });

  it("a lender moves from its opening rate to its reservation rate", () => {
    const s = createTimeDependentStrategy({
      side: "lender",
      openingRateBps: 900,
      reservationRateBps: 500,
      exponent: 1,
      template,
    });
    expect(s.propose(view(0)).rateBps).toBe(900);
    expect(s.propose(view(4)).rateBps).toBe(500);
    // Wall time counts too: at the deadline the reservation rate is offered.
    expect(s.propose(view(0, 1)).rateBps).toBe(500);
  });

  it("accepts only offers at least as good as its next proposal and within reservation", () => {
    const s = createTimeDependentStrategy({
      side: "lender",
      openingRateBps: 900,
      reservationRateBps: 500,
      exponent: 1,
      template,
    });
    expect(s.accept(view(1), { ...template, rateBps: 800 })).toBe(true);
    expect(s.accept(view(1), { ...template, rateBps: 700 })).toBe(false);
    expect(s.accept(view(4), { ...template, rateBps: 499 })).toBe(false);
    expect(s.accept(view(1), { ...template, rateBps: 900, collateral: 100n })).toBe(false);
  });

  it("a borrower accepts low rates and refuses rates above its reservation", () => {
    const s = createTimeDependentStrategy({
      side: "borrower",
      openingRateBps: 400,
      reservationRateBps: 1200,
      exponent: 1,
      template,
    });
    expect(s.accept(view(0), { ...template, rateBps: 350 })).toBe(true);
    expect(s.accept(view(4), { ...template, rateBps: 1300 })).toBe(false);
    expect(s.accept(view(4), { ...template, rateBps: 1200 })).toBe(true);
  });

  describe("the call level (callRiskLevel) is a policy term", () => {
    const lender = (callRiskLevel?: number) =>
      createTimeDependentStrategy({
        side: "lender",
        openingRateBps: 900,
        reservationRateBps: 500,
        exponent: 1,
        template: callRiskLevel === undefined ? template : { ...template, callRiskLevel },
      });
    const borrower = (callRiskLevels?: number[]) =>
      createTimeDependentStrategy({
        side: "borrower",
        openingRateBps: 400,
        reservationRateBps: 1200,
        exponent: 1,
        template,
        ...(callRiskLevels ? { callRiskLevels } : {}),
      });

    it("a lender proposes its level and accepts no other", () => {
      expect(lender().propose(view(0)).callRiskLevel).toBeUndefined();
      expect(lender(2).propose(view(0)).callRiskLevel).toBe(2);
      expect(lender(2).accept(view(1), { ...template, rateBps: 900 })).toBe(false);
      expect(lender(2).accept(view(1), { ...template, rateBps: 900, callRiskLevel: 2 })).toBe(true);
      expect(lender().accept(view(1), { ...template, rateBps: 900, callRiskLevel: 1 })).toBe(false);
      // Absent and 0 are the same level.
      expect(lender().accept(view(1), { ...template, rateBps: 900, callRiskLevel: 0 })).toBe(true);
    });

    it("a borrower by default takes no callable loan, whatever the rate", () => {
      expect(borrower().accept(view(4), { ...template, rateBps: 1, callRiskLevel: 3 })).toBe(false);
      expect(borrower().accept(view(4), { ...template, rateBps: 1 })).toBe(true);
    });

    it("a borrower that agrees to some levels takes them, and answers with the lender's level", () => {
      const b = borrower([0, 2, 3]);
      expect(b.accept(view(4), { ...template, rateBps: 1, callRiskLevel: 2 })).toBe(true);
      expect(b.accept(view(4), { ...template, rateBps: 1, callRiskLevel: 1 })).toBe(false);
      const theirs = { ...template, rateBps: 1100, callRiskLevel: 3 };
      expect(b.propose({ ...view(1), side: "borrower", theirLast: theirs }).callRiskLevel).toBe(3);
      // A level it does not agree to: it proposes its own first one (0: absent).
      const other = { ...template, rateBps: 1100, callRiskLevel: 1 };
      expect(b.propose({ ...view(1), side: "borrower", theirLast: other })).not.toHaveProperty(
        "callRiskLevel",
      );
    });
  });
});
