import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { space } from "./fixtures.ts";
import { ISSUES, type IssueVector, termsAt } from "./issue-space.ts";
import {
  createBayesianModel,
  createFrequencyModel,
  type OpponentModel,
  uniformOpponent,
} from "./opponent-model.ts";

/** A borrower that cares about tenor and collateral: it holds them at its ideal (long, low) and
 *  concedes on rate and principal. */
const offers = [0, 0.15, 0.3, 0.45, 0.6].map((k) =>
  termsAt(space, { principal: 1 - k / 2, rate: k, tenor: 1, collateral: 0, haircut: 0.5 }),
);

const sum = (w: IssueVector) => ISSUES.reduce((s, i) => s + w[i], 0);

describe.each<[string, OpponentModel]>([
  ["frequency", createFrequencyModel()],
  ["bayesian", createBayesianModel()],
])("%s opponent model", (_, model) => {
  it("learns that the issues the opponent holds still matter to it", () => {
    const e = model.estimate({ space, side: "borrower", offers });
    expect(e.weights.tenor).toBeGreaterThan(e.weights.rate);
    expect(e.weights.collateral).toBeGreaterThan(e.weights.rate);
    expect(e.weights.tenor).toBeGreaterThan(e.weights.principal);
    expect(sum(e.weights)).toBeCloseTo(1, 9);
  });

  it("knows which way a borrower pulls and values its own offers highly", () => {
    const e = model.estimate({ space, side: "borrower", offers });
    expect(e.prefersHigh.rate).toBe(false);
    expect(e.prefersHigh.tenor).toBe(true);
    const theirFirst = e.utilityOf({ principal: 1, rate: 0, tenor: 1, collateral: 0, haircut: 0.5 });
    const lenderIdeal = e.utilityOf({ principal: 0, rate: 1, tenor: 0, collateral: 1, haircut: 1 });
    expect(theirFirst).toBeGreaterThan(lenderIdeal);
  });

  it("starts uniform and always returns normalised weights (property)", () => {
    expect(model.estimate({ space, side: "lender", offers: [] }).weights).toEqual(
      uniformOpponent("lender").weights,
    );
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    const v = fc.record({ principal: unit, rate: unit, tenor: unit, collateral: unit, haircut: unit });
    fc.assert(
      fc.property(fc.array(v, { maxLength: 8 }), (vs) => {
        const e = model.estimate({ space, side: "lender", offers: vs.map((x) => termsAt(space, x)) });
        expect(sum(e.weights)).toBeCloseTo(1, 9);
        for (const i of ISSUES) expect(e.weights[i]).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 50 },
    );
  });
});
