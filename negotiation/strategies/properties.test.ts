import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BoaStrategy } from "./boa-strategy.ts";
import { rfq, space, view } from "./fixtures.ts";
import { inSpace, termsAt } from "./issue-space.ts";
import { createModelDrivenStrategy } from "./model-driven.ts";
import { createBayesianModel } from "./opponent-model.ts";
import type { Side, Terms } from "./strategy.ts";
import { createTimeDependentUtilityStrategy } from "./time-dependent-utility.ts";
import { createTitForTatStrategy } from "./tit-for-tat.ts";
import { createLinearValuation, rateAtLeastAsGood, type Valuation, withinReservation } from "./utility.ts";

const KINDS = [
  "boulware",
  "linear",
  "conceder",
  "linear+bayes",
  "tit-for-tat",
  "tft-absolute",
  "model-driven",
] as const;

function build(kind: (typeof KINDS)[number], valuation: Valuation): BoaStrategy {
  switch (kind) {
    case "boulware":
    case "linear":
    case "conceder":
      return createTimeDependentUtilityStrategy({ valuation, rfq, exponent: kind });
    case "linear+bayes":
      return createTimeDependentUtilityStrategy({
        valuation,
        rfq,
        exponent: 1,
        opponentModel: createBayesianModel(),
      });
    case "tit-for-tat":
      return createTitForTatStrategy({ valuation, rfq });
    case "tft-absolute":
      return createTitForTatStrategy({ valuation, rfq, mode: "absolute" });
    case "model-driven":
      return createModelDrivenStrategy({ valuation, rfq });
  }
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const issueVector = fc.record({ principal: unit, rate: unit, tenor: unit, collateral: unit, haircut: unit });
const weights = fc.record({
  principal: fc.double({ min: 0.01, max: 1, noNaN: true }),
  rate: fc.double({ min: 0.01, max: 1, noNaN: true }),
  tenor: fc.double({ min: 0.01, max: 1, noNaN: true }),
  collateral: fc.double({ min: 0.01, max: 1, noNaN: true }),
  haircut: fc.double({ min: 0.01, max: 1, noNaN: true }),
});

const session = fc.record({
  kind: fc.constantFrom(...KINDS),
  side: fc.constantFrom<Side>("lender", "borrower"),
  weights,
  reservationRateBps: fc.integer({ min: 0, max: 1000 }),
  reservationUtility: fc.double({ min: 0, max: 0.6, noNaN: true }),
  maxRounds: fc.integer({ min: 2, max: 12 }),
  theirs: fc.array(issueVector, { minLength: 12, maxLength: 12 }),
  timeShare: fc.double({ min: 0, max: 0.15, noNaN: true }),
});

describe("every utility strategy (properties)", () => {
  it("never bids beyond its reservation, never accepts below it, and never asks for more than before", () => {
    fc.assert(
      fc.property(session, (p) => {
        const valuation = createLinearValuation({
          side: p.side,
          space,
          weights: p.weights,
          reservationRateBps: p.reservationRateBps,
          reservationUtility: p.reservationUtility,
        });
        const s = build(p.kind, valuation);
        let myLast: Terms | undefined;
        let theirLast: Terms | undefined;
        let lastUtility = Number.POSITIVE_INFINITY;
        for (let round = 0; round < p.maxRounds; round++) {
          const elapsed = Math.min(1, round * p.timeShare);
          const theirs = termsAt(space, p.theirs[round]!);
          const v = view(p.side, round, { maxRounds: p.maxRounds, elapsed, myLast, theirLast });
          if (s.accept(v, theirs)) {
            expect(withinReservation(valuation, rfq, theirs)).toBe(true);
            expect(valuation.utility(theirs)).toBeGreaterThanOrEqual(p.reservationUtility);
          }
          theirLast = theirs;
          const bid = s.propose({ ...v, theirLast });
          const u = valuation.utility(bid);
          expect(inSpace(space, bid)).toBe(true);
          expect(rateAtLeastAsGood(p.side, bid.rateBps, p.reservationRateBps)).toBe(true);
          expect(u).toBeGreaterThanOrEqual(p.reservationUtility);
          expect(u).toBeLessThanOrEqual(lastUtility + 1e-12);
          lastUtility = u;
          myLast = bid;
        }
      }),
      { numRuns: 150 },
    );
  });

  it("time-dependent tactics ask for less and less utility as time passes (monotone in t)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("boulware" as const, "linear" as const, "conceder" as const),
        weights,
        fc.integer({ min: 3, max: 15 }),
        (kind, w, maxRounds) => {
          const valuation = createLinearValuation({
            side: "lender",
            space,
            weights: w,
            reservationRateBps: 0,
          });
          const s = build(kind, valuation);
          const us = Array.from(
            { length: maxRounds },
            (_, r) => s.bid(view("lender", r, { maxRounds })).utility,
          );
          for (let r = 1; r < us.length; r++) expect(us[r]!).toBeLessThanOrEqual(us[r - 1]! + 0.021);
          expect(us[0]!).toBeGreaterThan(0.97);
        },
      ),
      { numRuns: 60 },
    );
  });
});
