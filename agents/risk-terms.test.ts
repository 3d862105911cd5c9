import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { haircutForTerms, plausibleFall, riskTerms } from "./risk-terms.ts";

const WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
const USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7";

describe("riskTerms", () => {
  it("ETH at 80 % volatility: a 9.30 % daily fall at 99 % (by hand: 1 - e^(-2.33 * 0.8 * sqrt(1/365))), bonus 2 % + fall / 4, threshold (1 - fall) / (1 + bonus)", () => {
    const fall = plausibleFall({ volatility: 0.8 }, { horizonSeconds: 86_400, z: 2.33 });
    expect(fall).toBeCloseTo(1 - Math.exp(-2.33 * 0.8 * Math.sqrt(1 / 365)), 12);
    expect(riskTerms(WETH, { volatility: 0.8 })).toEqual({
      liquidationThresholdBps: 8_694, // 0.90704 / 1.0432
      liquidationBonusBps: 432, // 0.02 + 0.09296 / 4
      tighteningPerLevelBps: 464, // 0.09296 / 2
    });
  });

  it("a jumpier collateral gets a lower threshold, a larger bonus and more tightening", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const calm = riskTerms(WETH, { volatility: lo });
          const wild = riskTerms(WETH, { volatility: hi });
          expect(wild.liquidationThresholdBps).toBeLessThanOrEqual(calm.liquidationThresholdBps);
          expect(wild.liquidationBonusBps).toBeGreaterThanOrEqual(calm.liquidationBonusBps);
          expect(wild.tighteningPerLevelBps).toBeGreaterThanOrEqual(calm.tighteningPerLevelBps);
        },
      ),
    );
  });

  it("always within the contract's bounds: threshold <= 100 % and threshold * (1 + bonus) <= 100 %", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 50, noNaN: true }), (volatility) => {
        const t = riskTerms(WETH, { volatility });
        expect(t.liquidationThresholdBps).toBeLessThanOrEqual(10_000);
        expect(t.liquidationThresholdBps * (10_000 + t.liquidationBonusBps)).toBeLessThanOrEqual(100_000_000);
        expect(Number.isInteger(t.liquidationBonusBps) && Number.isInteger(t.tighteningPerLevelBps)).toBe(
          true,
        );
      }),
    );
  });

  it("from a model's interval: wider uncertainty, lower threshold", () => {
    const narrow = riskTerms(WETH, { interval: { lower: -0.05, upper: 0.05 } });
    const wide = riskTerms(WETH, { interval: { lower: -0.2, upper: 0.2 } });
    expect(wide.liquidationThresholdBps).toBeLessThan(narrow.liquidationThresholdBps);
    expect(narrow.liquidationThresholdBps).toBe(
      Math.floor((0.95 / (1 + narrow.liquidationBonusBps / 10_000)) * 10_000),
    );
  });

  it("overrides per collateral, and refuses nonsense inputs", () => {
    const stable = { liquidationThresholdBps: 9_500, liquidationBonusBps: 100, tighteningPerLevelBps: 0 };
    expect(riskTerms(USDT, { volatility: 5 }, { overrides: { [USDT.toLowerCase()]: stable } })).toBe(stable);
    expect(() => riskTerms(WETH, { volatility: Number.NaN })).toThrow(RangeError);
    expect(() => riskTerms(WETH, { interval: { lower: 0.1 } })).toThrow(RangeError);
  });

  it("the haircut that opens a loan below its threshold", () => {
    expect(
      haircutForTerms({
        liquidationThresholdBps: 8_694,
        liquidationBonusBps: 432,
        tighteningPerLevelBps: 464,
      }),
    ).toBe(1_806);
  });
});
