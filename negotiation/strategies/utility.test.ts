import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rfq, space, terms, valuation, WETH } from "./fixtures.ts";
import {
  collateralRatio,
  inSpace,
  issueSpaceFromRfq,
  issueValues,
  nonRateGrid,
  requiredCollateral,
  termsAt,
} from "./issue-space.ts";
import { createLinearValuation, defaultPrefersHigh, normaliseWeights, withinReservation } from "./utility.ts";

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const vector = fc.record({ principal: unit, rate: unit, tenor: unit, collateral: unit, haircut: unit });

describe("issue space", () => {
  it("derives ranges from the RFQ and never asks for more collateral than it offers", () => {
    expect(space.principal).toEqual({ min: rfq.principal / 2n, max: rfq.principal });
    expect(space.rateBps).toEqual({ min: 0, max: 1000 });
    expect(space.tenor).toEqual({ min: rfq.tenor / 4, max: rfq.tenor });
    // The top corner (all principal, top haircut, top ratio) is exactly the RFQ's collateral.
    const top = termsAt(space, { principal: 1, rate: 0, tenor: 1, collateral: 1, haircut: 1 });
    expect(top.collateral).toBeLessThanOrEqual(rfq.collateral + 1n);
    expect(top.collateral).toBeGreaterThan((rfq.collateral * 999n) / 1000n);
    fc.assert(fc.property(vector, (v) => termsAt(space, v).collateral <= rfq.collateral + 1n));
  });

  it("requires collateral whose haircut value covers the principal", () => {
    const s = issueSpaceFromRfq(rfq, { coverage: { principal: 1n, collateral: 2n } });
    expect(requiredCollateral(s, 100n, 0)).toBe(200n);
    expect(requiredCollateral(s, 100n, 2000)).toBe(250n);
    expect(collateralRatio(s, terms({ principal: 100n, haircutBps: 2000, collateral: 375n }))).toBe(1.5);
  });

  it("round-trips normalised values through terms (property)", () => {
    fc.assert(
      fc.property(vector, (v) => {
        const back = issueValues(space, termsAt(space, v));
        for (const k of Object.keys(v) as (keyof typeof v)[])
          expect(Math.abs(back[k] - v[k])).toBeLessThan(2e-3);
        expect(inSpace(space, termsAt(space, v))).toBe(true);
      }),
    );
  });

  it("refuses terms outside the space", () => {
    const ok = termsAt(space, { principal: 0.5, rate: 0.5, tenor: 0.5, collateral: 0.5, haircut: 0.5 });
    expect(inSpace(space, ok)).toBe(true);
    expect(inSpace(space, { ...ok, collateralToken: rfq.principalToken })).toBe(false);
    expect(inSpace(space, { ...ok, principal: rfq.principal + 1n })).toBe(false);
    expect(inSpace(space, { ...ok, rateBps: 1001 })).toBe(false);
    expect(inSpace(space, { ...ok, collateral: 1n })).toBe(false);
    expect(inSpace(space, { ...ok, collateralToken: WETH.toLowerCase() as typeof WETH })).toBe(true);
  });

  it("enumerates the non-rate grid", () => {
    expect(nonRateGrid(space)).toHaveLength(81);
    expect(nonRateGrid(space, { principal: 1, tenor: 2, collateral: 1, haircut: 1 })).toHaveLength(2);
  });
});

describe("linear utility", () => {
  it("normalises weights", () => {
    expect(normaliseWeights({ rate: 2, tenor: 2 })).toEqual({
      principal: 0,
      rate: 0.5,
      tenor: 0.5,
      collateral: 0,
      haircut: 0,
    });
    expect(normaliseWeights({}).rate).toBeCloseTo(0.2);
  });

  it("values each side's ideal corner at 1 and the other's at 0", () => {
    const lender = valuation("lender");
    const borrower = valuation("borrower");
    const lenderIdeal = termsAt(space, { principal: 0, rate: 1, tenor: 0, collateral: 1, haircut: 1 });
    expect(lender.utility(lenderIdeal)).toBeCloseTo(1, 3);
    expect(borrower.utility(lenderIdeal)).toBeCloseTo(0, 3);
    expect(defaultPrefersHigh("lender")).toEqual({
      principal: false,
      rate: true,
      tenor: false,
      collateral: true,
      haircut: true,
    });
  });

  it("adds weighted issue values", () => {
    const lender = createLinearValuation({
      side: "lender",
      space,
      weights: { rate: 3, tenor: 1 },
      reservationRateBps: 0,
    });
    // rate 600 of 0..1000 is 0.6; tenor at the longest is worth 0 to a lender.
    const t = termsAt(space, { principal: 1, rate: 0.6, tenor: 1, collateral: 0, haircut: 0 });
    expect(lender.utility(t)).toBeCloseTo(0.75 * 0.6, 6);
    expect(lender.utilityAtRate!(t, 1000)).toBeCloseTo(0.75, 6);
  });

  it("its fast path agrees with the full utility (property)", () => {
    const v = valuation("borrower");
    fc.assert(
      fc.property(vector, fc.integer({ min: 0, max: 1000 }), (x, rate) => {
        const t = termsAt(space, x);
        expect(v.utilityAtRate!(t, rate)).toBeCloseTo(v.utility({ ...t, rateBps: rate }), 9);
      }),
    );
  });

  it("reservation: rate within the reservation rate and utility above the reservation utility", () => {
    const lender = valuation("lender", { reservationRateBps: 400, reservationUtility: 0.3 });
    const good = termsAt(space, { principal: 0, rate: 0.9, tenor: 0, collateral: 1, haircut: 1 });
    expect(withinReservation(lender, rfq, good)).toBe(true);
    expect(withinReservation(lender, rfq, { ...good, rateBps: 399 })).toBe(false);
    const poor = termsAt(space, { principal: 1, rate: 0.45, tenor: 1, collateral: 0, haircut: 0 });
    expect(lender.utility(poor)).toBeLessThan(0.3);
    expect(withinReservation(lender, rfq, poor)).toBe(false);
    expect(withinReservation(lender, rfq, { ...good, collateralToken: rfq.principalToken })).toBe(false);
  });

  it("asks a function for the reservation at every call (a model plugs in here)", () => {
    let calls = 0;
    const v = createLinearValuation({
      side: "borrower",
      space,
      weights: {},
      reservationRateBps: () => 500 + 10 * calls++,
    });
    expect(v.reservationRateBps(rfq)).toBe(500);
    expect(v.reservationRateBps(rfq)).toBe(510);
  });
});
