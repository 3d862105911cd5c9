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
});
