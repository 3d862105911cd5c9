import { describe, expect, it } from "vitest";
import { rfq, terms, valuation, view } from "./fixtures.ts";
import { createLearnedValuation } from "./learned-valuation.ts";
import { createModelDrivenStrategy } from "./model-driven.ts";
import { withinReservation } from "./utility.ts";

describe("learned valuation", () => {
  it("a lender never goes below the model's floor, nor below its own", () => {
    let floor: number | undefined = 600;
    const v = createLearnedValuation({ base: valuation("lender"), reservationRateBps: () => floor });
    expect(v.reservationRateBps(rfq)).toBe(600);
    expect(withinReservation(v, rfq, terms({ rateBps: 500 }))).toBe(false);
    expect(withinReservation(v, rfq, terms({ rateBps: 650 }))).toBe(true);
    floor = 100; // below the base's 400: the base stands
    expect(v.reservationRateBps(rfq)).toBe(400);
    floor = undefined;
    expect(v.reservationRateBps(rfq)).toBe(400);
  });

  it("a borrower never pays more than the smaller ceiling", () => {
    const v = createLearnedValuation({ base: valuation("borrower"), reservationRateBps: () => 650 });
    expect(v.reservationRateBps(rfq)).toBe(650);
    expect(withinReservation(v, rfq, terms({ rateBps: 680 }))).toBe(false);
  });

  it("the model-driven strategy on it never offers below the learned floor, whatever the round", () => {
    const v = createLearnedValuation({ base: valuation("lender"), reservationRateBps: () => 620 });
    const s = createModelDrivenStrategy({ valuation: v, rfq });
    for (let round = 0; round < 10; round++)
      expect(s.propose(view("lender", round)).rateBps).toBeGreaterThanOrEqual(620);
    expect(s.accept(view("lender", 9), terms({ rateBps: 610 }))).toBe(false);
  });
});
