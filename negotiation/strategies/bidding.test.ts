import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoUtilityBid, progress, rateBounds, solveRate, timeDependentTarget } from "./bidding.ts";
import { rfq, space, valuation } from "./fixtures.ts";
import { nonRateGrid } from "./issue-space.ts";
import { opponentEstimate, uniformOpponent } from "./opponent-model.ts";
import type { Valuation } from "./utility.ts";

/** The same valuation seen as a black box (no fast path): bids must bisect. */
const blackBox = (v: Valuation): Valuation => ({
  side: v.side,
  space: v.space,
  utility: (t) => v.utility(t),
  reservationRateBps: (r) => v.reservationRateBps(r),
  reservationUtility: (r) => v.reservationUtility(r),
});

describe("bidding", () => {
  it("measures progress by rounds or wall time, whichever is further", () => {
    expect(progress({ round: 0, maxRounds: 5, elapsed: 0 })).toBe(0);
    expect(progress({ round: 2, maxRounds: 5, elapsed: 0.1 })).toBe(0.5);
    expect(progress({ round: 1, maxRounds: 5, elapsed: 0.8 })).toBe(0.8);
    expect(progress({ round: 9, maxRounds: 5, elapsed: 0 })).toBe(1);
    expect(progress({ round: 0, maxRounds: 1, elapsed: 0 })).toBe(1);
  });

  it("time-dependent targets: Boulware holds, conceder gives in", () => {
    const ctx = (t: number) =>
      ({ t, reservationUtility: 0.2 }) as Parameters<ReturnType<typeof timeDependentTarget>>[0];
    expect(timeDependentTarget(1)(ctx(0))).toBe(1);
    expect(timeDependentTarget(1)(ctx(0.5))).toBeCloseTo(0.6);
    expect(timeDependentTarget(1)(ctx(1))).toBeCloseTo(0.2);
    expect(timeDependentTarget(0.2)(ctx(0.5))).toBeGreaterThan(0.9);
    expect(timeDependentTarget(3)(ctx(0.5))).toBeLessThan(0.4);
  });

  it("bounds bid rates by the reservation rate", () => {
    expect(rateBounds(valuation("lender", { reservationRateBps: 400 }), rfq)).toEqual({ lo: 400, hi: 1000 });
    expect(rateBounds(valuation("borrower", { reservationRateBps: 700 }), rfq)).toEqual({ lo: 0, hi: 700 });
    // A reservation outside the space: only the reservation itself.
    expect(rateBounds(valuation("lender", { reservationRateBps: 1200 }), rfq)).toEqual({
      lo: 1200,
      hi: 1200,
    });
  });

  it("finds the least favourable rate that still meets the target, fast path or bisection (property)", () => {
    const grid = nonRateGrid(space);
    fc.assert(
      fc.property(
        fc.constantFrom("lender" as const, "borrower" as const),
        fc.integer({ min: 0, max: grid.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (side, i, target) => {
          const v = valuation(side);
          const b = rateBounds(v, rfq);
          const combo = grid[i]!;
          const fast = solveRate(v, combo, target, b);
          const slow = solveRate(blackBox(v), combo, target, b);
          expect(fast).toBe(slow);
          if (fast === undefined) return;
          expect(v.utility({ ...combo, rateBps: fast })).toBeGreaterThanOrEqual(target);
          const worse = side === "lender" ? fast - 1 : fast + 1;
          if (worse >= b.lo && worse <= b.hi)
            expect(v.utility({ ...combo, rateBps: worse })).toBeLessThan(target);
        },
      ),
    );
  });

  it("bids at the target, as the opponent model would like best", () => {
    const v = valuation("lender");
    const plain = isoUtilityBid({ valuation: v, rfq, target: 0.7, opponent: uniformOpponent("borrower") });
    expect(plain.utility).toBeGreaterThanOrEqual(0.7);
    expect(plain.utility).toBeLessThanOrEqual(0.72 + 1e-9);
    // An opponent that only cares about tenor gets the longest tenor at the same utility to us.
    const tenorLover = opponentEstimate(
      { principal: 0, rate: 0, tenor: 1, collateral: 0, haircut: 0 },
      { principal: true, rate: false, tenor: true, collateral: false, haircut: false },
    );
    const bid = isoUtilityBid({ valuation: v, rfq, target: 0.7, opponent: tenorLover });
    expect(bid.terms.tenor).toBe(space.tenor.max);
    expect(bid.utility).toBeGreaterThanOrEqual(0.7);
  });

  it("bids its best when the target cannot be met", () => {
    const v = valuation("borrower", { reservationRateBps: 700 });
    const bid = isoUtilityBid({ valuation: v, rfq, target: 1.5, opponent: uniformOpponent("lender") });
    expect(bid.utility).toBeCloseTo(1, 3);
    expect(bid.terms.rateBps).toBe(0);
  });
});
