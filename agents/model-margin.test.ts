/**
 * The model-driven lender's margin: a wider model interval gives a lower threshold; with the
 * shipped valuation model a lender asks a tighter margin after a crash than in a calm market, its
 * offer carries that margin and opens below it, and a borrower agrees only if its policy allows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { VALUATION_WEIGHTS } from "../models/valuation/paths.ts";
import { readValuationFile, type ValuationModel } from "../models/valuation/valuation-model.ts";
import { marginOf, marginWithin, NO_MARGIN } from "../negotiation/strategies/margin-terms.ts";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import { createDefaultPolicy } from "./agent-policy.ts";
import { decimals, lenderState, USDC, WETH } from "./model-driven-fixtures.ts";
import { createModelDrivenPolicy } from "./model-driven-policy.ts";
import { modelFall, modelMargin } from "./model-margin.ts";
import type { RiskTerms } from "./risk-terms.ts";

const rfq: RfqBody = {
  principalToken: USDC,
  principal: 1_000_000n * 10n ** 6n,
  maxRateBps: 1_000_000,
  tenor: 24 * 3600,
  collateralToken: WETH,
  // 2,000 ETH at about $2,000: 4x the principal, room for any haircut the model asks.
  collateral: 2000n * 10n ** 18n,
};
const view = {
  side: "lender" as const,
  round: 0,
  maxRounds: 4,
  elapsed: 0,
  myLast: undefined,
  theirLast: undefined,
};
const estimate = (low: number, high: number) => ({
  shortfall: { p: 0.1, low: 0.05, high: 0.2 },
  loss: { expected: (low + high) / 2, low, high },
});

describe("model margin", () => {
  it("a wider loss interval asks a lower threshold, a larger bonus, more tightening", () => {
    let last: RiskTerms | undefined;
    for (const width of [0, 0.05, 0.1, 0.2, 0.4]) {
      const t = modelMargin(WETH, estimate(0, width), 0.03);
      expect(t.liquidationThresholdBps * (10_000 + t.liquidationBonusBps)).toBeLessThanOrEqual(10 ** 8);
      if (last) {
        expect(t.liquidationThresholdBps).toBeLessThan(last.liquidationThresholdBps);
        expect(t.liquidationBonusBps).toBeGreaterThanOrEqual(last.liquidationBonusBps);
        expect(t.tighteningPerLevelBps).toBeGreaterThanOrEqual(last.tighteningPerLevelBps);
      }
      last = t;
    }
    // Volatility alone (a sure model) still asks for a fall: 3 % daily at 99 % is about 6.7 %.
    expect(modelFall(estimate(0, 0), 0.03)).toBeCloseTo(1 - Math.exp(-2.33 * 0.03), 6);
    expect(modelFall(estimate(0, 5), 0.03)).toBe(0.9);
    expect(() => modelFall(estimate(0, 0), Number.NaN)).toThrow(RangeError);
  });

  describe("with the shipped valuation model", () => {
    let model: ValuationModel;
    beforeAll(() => {
      model = readValuationFile(VALUATION_WEIGHTS);
    });

    const run = (path: number[], modelMarginOn = true) => {
      const seen: { margin?: RiskTerms; haircutBps: number; lossHigh: number }[] = [];
      const policy = createModelDrivenPolicy({
        decimals,
        model,
        modelMargin: modelMarginOn,
        onEstimate: (_r, e, t) => seen.push({ ...t, lossHigh: e.loss.high }),
      });
      let strategy: ReturnType<typeof policy.lenderStrategy>;
      path.forEach((eth, hour) => {
        strategy = policy.lenderStrategy(lenderState(hour, eth), rfq, 0n);
      });
      return { strategy, last: seen[seen.length - 1]! };
    };
    const calmPath = Array.from({ length: 25 }, (_, h) => 2000 * (1 + 0.001 * Math.sin(h)));
    // A jumpy crash: -2 % an hour with +-1.5 % swings.
    const crashPath = Array.from({ length: 25 }, (_, h) => 2000 * Math.exp(-0.02 * h + 0.015 * (h % 2)));

    it("asks a lower threshold after a crash than in a calm market", () => {
      const calm = run(calmPath);
      const crash = run(crashPath);
      expect(calm.last.margin).toBeDefined();
      expect(crash.last.lossHigh).toBeGreaterThanOrEqual(calm.last.lossHigh);
      expect(crash.last.margin!.liquidationThresholdBps).toBeLessThan(
        calm.last.margin!.liquidationThresholdBps,
      );
    });

    it("offers the model's margin, opening below the threshold; a borrower accepts only if allowed", () => {
      const { strategy, last } = run(crashPath);
      const offer = strategy!.propose(view);
      expect(marginOf(offer)).toEqual(last.margin);
      expect(10_000 - offer.haircutBps).toBeLessThanOrEqual(last.margin!.liquidationThresholdBps - 500);
      const state = lenderState(24, crashPath[24]!);
      const bview = { ...view, side: "borrower" as const, round: 3 };
      const lowOffer = { ...offer, rateBps: 1 };
      expect(createDefaultPolicy({ decimals }).borrowerStrategy(state, rfq).accept(bview, lowOffer)).toBe(
        false,
      );
      const willing = createDefaultPolicy({
        decimals,
        acceptedMargin: marginWithin({ minThresholdBps: 5_000 }),
      });
      expect(willing.borrowerStrategy(state, rfq).accept(bview, lowOffer)).toBe(true);
    });

    it("off by default: the offer is unmargined", () => {
      const { strategy, last } = run(crashPath, false);
      expect(last.margin).toBeUndefined();
      expect(marginOf(strategy!.propose(view))).toEqual(NO_MARGIN);
    });
  });
});
