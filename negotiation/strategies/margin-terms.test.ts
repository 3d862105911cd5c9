import { describe, expect, it } from "vitest";
import { inSpace, issueSpaceFromRfq, termsAt } from "./issue-space.ts";
import { marginOf, marginWithin, NO_MARGIN, onlyUnmargined, sameMargin, withMargin } from "./margin-terms.ts";
import { createTimeDependentStrategy } from "./time-dependent.ts";

const template = {
  principal: 1_000_000n,
  tenor: 86_400,
  collateralToken: "0x0000000000000000000000000000000000000001" as const,
  collateral: 500n,
  haircutBps: 2000,
};
const margin = { liquidationThresholdBps: 8_694, liquidationBonusBps: 432, tighteningPerLevelBps: 464 };
const view = (
  round: number,
  theirLast?: Parameters<ReturnType<typeof createTimeDependentStrategy>["accept"]>[1],
) => ({
  side: "borrower" as const,
  round,
  maxRounds: 5,
  elapsed: 0,
  myLast: undefined,
  theirLast,
});

const lender = (m = margin) =>
  createTimeDependentStrategy({
    side: "lender",
    openingRateBps: 900,
    reservationRateBps: 500,
    exponent: 1,
    template: withMargin(template, m),
  });
const borrower = (accepts?: ReturnType<typeof marginWithin>) =>
  createTimeDependentStrategy({
    side: "borrower",
    openingRateBps: 400,
    reservationRateBps: 1200,
    exponent: 1,
    template,
    ...(accepts ? { margin: accepts } : {}),
  });

describe("margins are policy terms", () => {
  it("a lender proposes its margin and accepts only that one", () => {
    const offer = lender().propose(view(0));
    expect(marginOf(offer)).toEqual(margin);
    expect(lender().accept(view(4), { ...offer, rateBps: 900 })).toBe(true);
    expect(lender().accept(view(4), { ...withMargin(offer, NO_MARGIN), rateBps: 900 })).toBe(false);
    expect(
      lender().accept(view(4), {
        ...withMargin(offer, { ...margin, liquidationThresholdBps: 9_000 }),
        rateBps: 900,
      }),
    ).toBe(false);
  });

  it("a borrower without a margin policy never agrees to a margined loan, whatever the rate", () => {
    const offer = { ...lender().propose(view(0)), rateBps: 1 };
    expect(borrower().accept(view(4), offer)).toBe(false);
    expect(borrower().accept(view(4), withMargin(offer, NO_MARGIN))).toBe(true);
    expect(marginOf(borrower().propose(view(1, offer)))).toEqual(NO_MARGIN);
  });

  it("a borrower with limits accepts a margin within them and carries it in its counter-offers", () => {
    const b = borrower(marginWithin({ minThresholdBps: 8_000 }));
    const offer = { ...lender().propose(view(0)), rateBps: 1 };
    expect(b.accept(view(4), offer)).toBe(true);
    expect(marginOf(b.propose(view(1, offer)))).toEqual(margin);
    const harsh = withMargin(offer, { ...margin, liquidationThresholdBps: 7_500 });
    expect(b.accept(view(4), harsh)).toBe(false);
    expect(marginOf(b.propose(view(1, harsh)))).toEqual(NO_MARGIN);
  });

  it("helpers: zero fields are omitted, absent equals zero", () => {
    expect(withMargin({ ...template, ...margin }, NO_MARGIN)).toEqual(template);
    expect(sameMargin({}, NO_MARGIN)).toBe(true);
    expect(onlyUnmargined(marginOf({}))).toBe(true);
    expect(marginWithin()(margin)).toBe(true);
    expect(marginWithin()({ ...margin, liquidationBonusBps: 1_500 })).toBe(false);
  });

  it("issue-space strategies propose no margin and agree to none", () => {
    const rfq = {
      principalToken: "0x0000000000000000000000000000000000000002" as const,
      principal: 1_000_000n,
      maxRateBps: 1000,
      tenor: 86_400,
      collateralToken: template.collateralToken,
      collateral: 2_000_000n,
    };
    const space = issueSpaceFromRfq(rfq);
    const t = termsAt(space, { principal: 1, rate: 0.5, tenor: 1, collateral: 0.5, haircut: 0.5 });
    expect(inSpace(space, t)).toBe(true);
    expect(inSpace(space, withMargin(t, margin))).toBe(false);
  });
});
