import { describe, expect, it } from "vitest";
import { acNext } from "./acceptance.ts";
import { rfq, space, terms, valuation, view } from "./fixtures.ts";
import { inSpace, issueSpaceFromRfq, termsAt } from "./issue-space.ts";
import { createModelDrivenStrategy, opponentAwareTarget, predictAtOne } from "./model-driven.ts";
import { type OpponentModel, opponentEstimate, uniformOpponent } from "./opponent-model.ts";
import type { Terms } from "./strategy.ts";
import { createTimeDependentUtilityStrategy } from "./time-dependent-utility.ts";
import { createTitForTatStrategy, titForTatTarget } from "./tit-for-tat.ts";
import { createLinearValuation, withinReservation } from "./utility.ts";

/** A lender's offers conceding `steps` of its own utility: used to feed borrowers. */
const lenderOffers = (rates: number[]): Terms[] =>
  rates.map((r) =>
    termsAt(space, { principal: 0.5, rate: r / 1000, tenor: 0.5, collateral: 0.5, haircut: 0.5 }),
  );

describe("time-dependent utility strategies", () => {
  it("Boulware concedes less than linear, conceder more, all from 1 to the reservation", () => {
    const v = valuation("lender", { reservationUtility: 0.2 });
    const mid = view("lender", 4, { maxRounds: 9 }); // t = 0.5
    const u = (e: "boulware" | "linear" | "conceder") =>
      createTimeDependentUtilityStrategy({
        valuation: valuation("lender", { reservationUtility: 0.2 }),
        rfq,
        exponent: e,
      }).bid(mid).utility;
    expect(u("boulware")).toBeGreaterThan(u("linear"));
    expect(u("linear")).toBeGreaterThan(u("conceder"));
    expect(u("linear")).toBeCloseTo(0.6, 1);
    const s = createTimeDependentUtilityStrategy({ valuation: v, rfq, exponent: "linear" });
    expect(s.bid(view("lender", 0)).utility).toBeCloseTo(1, 2);
    expect(s.bid(view("lender", 9)).utility).toBeLessThan(0.25);
    expect(s.name).toBe("linear");
    expect(createTimeDependentUtilityStrategy({ valuation: v, rfq, exponent: 0.5 }).name).toBe("boulware");
  });

  it("AC_next: accepts an offer at least as good as its next bid, never below reservation", () => {
    const s = createTimeDependentUtilityStrategy({
      valuation: valuation("borrower", { reservationRateBps: 700 }),
      rfq,
      exponent: "linear",
      acceptance: acNext(),
    });
    const v = s.valuation;
    const late = view("borrower", 8);
    const next = s.bid(late).utility;
    const generous = termsAt(space, { principal: 1, rate: 0.05, tenor: 1, collateral: 0, haircut: 0 });
    expect(v.utility(generous)).toBeGreaterThanOrEqual(next);
    expect(s.accept(late, generous)).toBe(true);
    // Same issues but a rate above the borrower's ceiling: refused whatever its utility.
    expect(s.accept(late, { ...generous, rateBps: 701 })).toBe(false);
    expect(s.accept(view("borrower", 0), terms({ rateBps: 650 }))).toBe(false);
  });

  it("wall time counts: at the deadline it bids its reservation utility", () => {
    const s = createTimeDependentUtilityStrategy({
      valuation: valuation("lender", { reservationUtility: 0.3 }),
      rfq,
      exponent: "linear",
    });
    const b = s.bid(view("lender", 0, { elapsed: 1 }));
    expect(b.utility).toBeGreaterThanOrEqual(0.3);
    expect(b.utility).toBeLessThan(0.33);
  });

  it("rebuilds the opponent's offers from successive views when the host does not pass them", () => {
    const seen: number[] = [];
    const spy: OpponentModel = {
      name: "spy",
      estimate: ({ offers, side }) => {
        seen.push(offers.length);
        return uniformOpponent(side);
      },
    };
    const s = createTimeDependentUtilityStrategy({
      valuation: valuation("borrower"),
      rfq,
      exponent: "linear",
      opponentModel: spy,
    });
    const [a, b] = lenderOffers([900, 850]);
    // As the machine calls it: accept (new offer as argument), then propose (same round).
    s.accept(view("borrower", 0), a!);
    s.accept(view("borrower", 0), a!); // a guard evaluated twice changes nothing
    s.propose(view("borrower", 0, { theirLast: a }));
    s.accept(view("borrower", 1, { theirLast: a }), b!);
    s.propose(view("borrower", 1, { theirLast: b }));
    expect(seen.at(-1)).toBe(2);
    // A host that passes the history is believed instead.
    s.propose(view("borrower", 2, { theirLast: b, theirOffers: [a!, b!, a!] }));
    expect(seen.at(-1)).toBe(3);
  });
});

describe("tit-for-tat", () => {
  const fixedModel: OpponentModel = {
    name: "fixed",
    estimate: ({ side }) =>
      opponentEstimate(
        { principal: 0, rate: 1, tenor: 0, collateral: 0, haircut: 0 },
        {
          principal: false,
          rate: side === "lender",
          tenor: false,
          collateral: true,
          haircut: true,
        },
      ),
  };
  const target = (mode: "relative" | "absolute", offers: Terms[], niceness = 0) =>
    titForTatTarget({ mode, niceness, opponentModel: fixedModel })({
      valuation: valuation("borrower", { reservationUtility: 0.2 }),
      reservationUtility: 0.2,
      theirOffers: offers,
    } as never);

  it("relative: gives up the share of its surplus that the opponent gave up of its utility", () => {
    // The lender (caring only about rate) goes 1000 -> 800: it gave up 20 % of its utility.
    expect(target("relative", lenderOffers([1000]))).toBeCloseTo(1);
    expect(target("relative", lenderOffers([1000, 800]))).toBeCloseTo(0.2 + 0.8 * 0.8);
    expect(target("relative", lenderOffers([1000, 800, 800]))).toBeCloseTo(0.2 + 0.8 * 0.8);
    // Niceness: a further share of the surplus per exchange.
    expect(target("relative", lenderOffers([1000, 800]), 0.1)).toBeCloseTo(0.2 + 0.8 * 0.8 * 0.9);
  });

  it("absolute: gives up what the opponent's move gained it; never retracts", () => {
    const v = valuation("borrower");
    const offers = lenderOffers([1000, 800]);
    const gain = v.utility(offers[1]!) - v.utility(offers[0]!);
    expect(target("absolute", offers)).toBeCloseTo(1 - gain);
    // The opponent backs off: we do not ask for more.
    expect(target("absolute", lenderOffers([1000, 800, 1000]))).toBeCloseTo(1 - gain);
  });

  it("mirrors in a session: no concession while the opponent stands still", () => {
    const s = createTitForTatStrategy({ valuation: valuation("borrower"), rfq, niceness: 0 });
    const still = lenderOffers([900, 900, 900]);
    const u0 = s.bid(view("borrower", 0, { theirOffers: still.slice(0, 1) })).utility;
    const u2 = s.bid(view("borrower", 2, { theirOffers: still })).utility;
    expect(u2).toBeCloseTo(u0, 6);
    const moving = lenderOffers([900, 600, 300]);
    expect(s.bid(view("borrower", 3, { theirOffers: moving })).utility).toBeLessThan(u0 - 0.1);
  });
});

describe("model-driven", () => {
  it("predicts the opponent's final offer by least squares", () => {
    expect(predictAtOne([{ x: 0, y: 0.2 }])).toBeUndefined();
    expect(
      predictAtOne([
        { x: 0, y: 0.2 },
        { x: 0.5, y: 0.4 },
      ]),
    ).toBeCloseTo(0.6);
    expect(
      predictAtOne([
        { x: 0.5, y: 0.3 },
        { x: 0.5, y: 0.5 },
      ]),
    ).toBeCloseTo(0.4);
  });

  it("concedes only toward what the opponent is heading for, never slower than its safety curve", () => {
    const v = valuation("borrower", { reservationUtility: 0.1 });
    const aimed = opponentAwareTarget(1, 0.3);
    const ctx = (t: number, offers: Terms[]) =>
      ({ valuation: v, reservationUtility: 0.1, theirOffers: offers, t }) as never;
    const conceding = lenderOffers([1000, 700, 400]); // better and better for the borrower
    const stubborn = lenderOffers([1000, 1000, 1000]);
    expect(aimed(ctx(0.5, conceding))).toBeGreaterThan(aimed(ctx(0.5, stubborn)));
    // At the deadline the safety curve reaches the reservation whatever the prediction.
    expect(aimed(ctx(1, conceding))).toBeCloseTo(0.1);
  });

  it("asks the valuation for its reservation at every step and obeys the current value", () => {
    let asked = 0;
    let ceiling = 900;
    const v = createLinearValuation({
      side: "borrower",
      space,
      weights: { rate: 1, tenor: 0.2 },
      reservationRateBps: () => {
        asked++;
        return ceiling;
      },
    });
    const s = createModelDrivenStrategy({ valuation: v, rfq });
    // The model grows less keen as the negotiation goes: its ceiling falls every round.
    const ceilings = [900, 800, 600, 500, 450, 450, 300, 250];
    let myLast: Terms | undefined;
    ceilings.forEach((c, round) => {
      ceiling = c;
      const before = asked;
      myLast = s.propose(view("borrower", round, { maxRounds: 8, elapsed: round / 10, myLast }));
      expect(asked).toBeGreaterThan(before);
      expect(myLast.rateBps).toBeLessThanOrEqual(c);
    });
  });
});

describe("the call level in the issue space", () => {
  const generous = termsAt(space, { principal: 1, rate: 0.05, tenor: 1, collateral: 0, haircut: 0 });
  const strategies = (v: ReturnType<typeof valuation>) => [
    createTimeDependentUtilityStrategy({ valuation: v, rfq, exponent: "linear" }),
    createTitForTatStrategy({ valuation: v, rfq }),
    createModelDrivenStrategy({ valuation: v, rfq }),
  ];

  it("by default a space holds only never-callable terms: every strategy refuses a callable offer", () => {
    expect(space.callRiskLevels).toEqual([0]);
    expect(generous.callRiskLevel).toBeUndefined();
    const v = valuation("borrower");
    expect(withinReservation(v, rfq, generous)).toBe(true);
    expect(withinReservation(v, rfq, { ...generous, callRiskLevel: 0 })).toBe(true);
    expect(withinReservation(v, rfq, { ...generous, callRiskLevel: 1 })).toBe(false);
    // The linear strategy takes the generous offer late; callable, no strategy takes it ever.
    const late = view("borrower", 9, { elapsed: 1 });
    expect(strategies(v)[0]!.accept(late, generous)).toBe(true);
    for (const s of strategies(v)) expect(s.accept(late, { ...generous, callRiskLevel: 1 })).toBe(false);
  });

  it("a space with call levels proposes its first and accepts only those", () => {
    const callable = issueSpaceFromRfq(rfq, { callRiskLevels: [2, 3] });
    const t = termsAt(callable, { principal: 1, rate: 1, tenor: 0, collateral: 1, haircut: 1 });
    expect(t.callRiskLevel).toBe(2);
    expect(inSpace(callable, t)).toBe(true);
    expect(inSpace(callable, { ...t, callRiskLevel: 3 })).toBe(true);
    expect(inSpace(callable, { ...t, callRiskLevel: 1 })).toBe(false);
    expect(inSpace(callable, { ...t, callRiskLevel: undefined })).toBe(false);
    const lender = createLinearValuation({
      side: "lender",
      space: callable,
      weights: { rate: 1 },
      reservationRateBps: 0,
    });
    const bid = createTimeDependentUtilityStrategy({ valuation: lender, rfq, exponent: "linear" }).propose(
      view("lender", 0),
    );
    expect(bid.callRiskLevel).toBe(2);
  });
});
