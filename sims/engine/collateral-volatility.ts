/**
 * What a lender knows of a collateral's price risk in a run: the annualised volatility of the
 * market prices it has seen so far (hourly log returns over a trailing window), from which the
 * default policy derives a loan's margin (agents/risk-terms.ts volatilityMargin). Only prices up to
 * the current step enter it; before two prices are seen it answers a prior.
 */
import type { World } from "./world.ts";

export type CollateralVolatilityParameters = {
  /** Trailing window of prices, hours. Default 72. */
  windowHours?: number | undefined;
  /** Annualised volatility assumed before two prices are seen. Default 0.8 (ETH in a calm year). */
  prior?: number | undefined;
};

const HOURS_PER_YEAR = 365 * 24;

export type CollateralVolatility = {
  /** Records this step's market prices (call once per step, before asking). */
  observe(world: World): void;
  /** Annualised volatility of asset `a` as seen so far. */
  of(a: number): number;
};

export function createCollateralVolatility(p: CollateralVolatilityParameters = {}): CollateralVolatility {
  const windowHours = p.windowHours ?? 72;
  const prior = p.prior ?? 0.8;
  let history: number[][] = [];
  let stepHours = 1;
  let lastStep = -1;
  return {
    observe(world) {
      if (world.step === lastStep) return;
      lastStep = world.step;
      stepHours = world.stepHours;
      if (history.length !== world.assetCount) history = world.assets.map(() => []);
      const keep = Math.max(2, Math.round(windowHours / stepHours) + 1);
      for (let a = 0; a < world.assetCount; a++) {
        const h = history[a]!;
        h.push(world.priceFloat[a]!);
        if (h.length > keep) h.shift();
      }
    },
    of(a) {
      const h = history[a];
      if (!h || h.length < 2) return prior;
      let sum = 0;
      let sq = 0;
      const n = h.length - 1;
      for (let k = 1; k < h.length; k++) {
        const r = Math.log(h[k]! / h[k - 1]!);
        sum += r;
        sq += r * r;
      }
      const mean = sum / n;
      const variance = n > 1 ? Math.max(0, (sq - n * mean * mean) / (n - 1)) : sq;
      return Math.sqrt(variance * (HOURS_PER_YEAR / stepHours));
    },
  };
}
