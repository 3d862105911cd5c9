/**
 * What a backtest reads from one simulated run: collateral liquidated in a lending market on a day
 * of the run (the quantity Aave's subgraph and the press count), bad debt per protocol, and an
 * asset's lowest price. Each takes a RunResult and returns a number, so every simulated figure in
 * the table comes from real runs.
 */
import type { RunResult } from "../engine/run-engine.ts";

export type Measure = (run: RunResult) => number;

export type LiquidatedCollateralParameters = {
  /** Protocol ids whose liquidations count (e.g. ["aave-v2", "compound", "maker"]). */
  protocols: readonly string[];
  /** Only this collateral (e.g. "ETH" for Aave's WETH collateral market); all when absent. */
  collateral?: string | undefined;
  /** Day of the run (0: the first 24 h); the whole run when absent. */
  day?: number | undefined;
};

/** Collateral seized in liquidations, USD at the oracle. */
export function liquidatedCollateralUsd({
  protocols,
  collateral,
  day,
}: LiquidatedCollateralParameters): Measure {
  return (run) => {
    requireProtocols(run, protocols);
    let sum = 0;
    for (const m of run.liquidationsByMarket) {
      if (!protocols.includes(m.protocol)) continue;
      if (collateral !== undefined && m.collateral !== collateral) continue;
      for (let d = 0; d < m.days.length; d++)
        if (day === undefined || d === day) sum += m.days[d]!.collateralUsd;
    }
    return sum;
  };
}

/** Debt left without collateral by liquidations and auctions of these protocols over the run, USD. */
export function lendingBadDebtUsd(protocols: readonly string[]): Measure {
  return (run) => {
    requireProtocols(run, protocols);
    let sum = 0;
    for (const m of run.liquidationsByMarket)
      if (protocols.includes(m.protocol)) for (const d of m.days) sum += d.badDebtUsd;
    return sum;
  };
}

/** The lowest price of an asset over the run, USD; with `fullHours`, only at whole hours (the
 *  replayed closes, not the intra-hour lows a replay may put between them). */
export function lowestPriceUsd(asset: string, { fullHours = false } = {}): Measure {
  return (run) => {
    const a = run.assets.indexOf(asset);
    if (a < 0) throw new Error(`the run has no asset ${asset}; it has ${run.assets.join(", ")}`);
    let low = Number.POSITIVE_INFINITY;
    const prices = run.series.prices[a]!;
    prices.forEach((p, k) => {
      const h = run.series.hours[k]!;
      if (fullHours && Math.abs(h - Math.round(h)) > 1e-9) return;
      if (p < low) low = p;
    });
    return low;
  };
}

function requireProtocols(run: RunResult, ids: readonly string[]) {
  for (const id of ids)
    if (!run.protocols.some((x) => x.id === id))
      throw new Error(`the run has no protocol ${id}; it has ${run.protocols.map((x) => x.id).join(", ")}`);
}

/** The lowest ratio of two assets' prices over the run (e.g. stETH/ETH). */
export function lowestRatio(asset: string, base: string): Measure {
  return (run) => {
    const a = run.assets.indexOf(asset);
    const b = run.assets.indexOf(base);
    if (a < 0 || b < 0)
      throw new Error(`the run has no ${a < 0 ? asset : base}; it has ${run.assets.join(", ")}`);
    let low = Number.POSITIVE_INFINITY;
    const pa = run.series.prices[a]!;
    const pb = run.series.prices[b]!;
    for (let k = 0; k < pa.length; k++) if (pb[k]! > 0 && pa[k]! / pb[k]! < low) low = pa[k]! / pb[k]!;
    return low;
  };
}
