/**
 * The cascade label of issue 12: for hour t, Aave v2 liquidations of the WETH and USDC collateral
 * markets (forward-filled rows excluded: their values are copies) summed over (t, t + 24 h] are at
 * least $5M. An event (for lead times) is an hour T at which the trailing 24 h sum over
 * (T - 24 h, T] first reaches the threshold: the moment the cascade has happened.
 */
import { ModelInputError } from "../../errors.ts";
import { alignExact } from "../../features/market/align.ts";
import { HOUR_MS, type KnownSeries } from "./series.ts";

export const CASCADE_THRESHOLD_USD = 5_000_000;
export const CASCADE_HORIZON_HOURS = 24;

export type CascadeLabelsParameters = {
  markets: readonly KnownSeries[];
  fromMs: number;
  toMs: number;
  thresholdUsd?: number;
  horizonHours?: number;
};

export type CascadeLabels = {
  hoursMs: Float64Array;
  labels: Uint8Array;
  /** Liquidations (USD) per hour, summed over the markets, for hours (from, to + horizon]. */
  liquidationsUsd: Float64Array;
  /** Event hours (ms) within [from, to + horizon]. */
  eventsMs: number[];
};

/** The last hour whose label window the markets' files cover in full. */
export function lastLabelledHour(
  markets: readonly KnownSeries[],
  horizonHours = CASCADE_HORIZON_HOURS,
): number {
  if (markets.length === 0) throw new ModelInputError("cascade labels need at least one Aave market file.");
  const end = Math.min(...markets.map((m) => m.knownAtMs[m.knownAtMs.length - 1]!));
  return Math.floor(end / HOUR_MS) * HOUR_MS - horizonHours * HOUR_MS;
}

export function cascadeLabels({
  markets,
  fromMs,
  toMs,
  thresholdUsd = CASCADE_THRESHOLD_USD,
  horizonHours = CASCADE_HORIZON_HOURS,
}: CascadeLabelsParameters): CascadeLabels {
  if (toMs > lastLabelledHour(markets, horizonHours))
    throw new ModelInputError(
      `labels asked up to ${new Date(toMs).toISOString()}, but the Aave files end before that hour's ${horizonHours} h window does.`,
    );
  const hours = (toMs - fromMs) / HOUR_MS + 1;
  // Hours from - horizon + 1 .. to + horizon: enough for both the forward and the trailing sums.
  const grid = { startMs: fromMs - (horizonHours - 1) * HOUR_MS, hours: hours + 2 * horizonHours - 1 };
  const liq = new Float64Array(grid.hours);
  for (const m of markets) {
    const a = alignExact(m, m.columns.liquidations!, grid);
    for (let i = 0; i < grid.hours; i++) liq[i]! += a[i]!;
  }
  const off = horizonHours - 1; // index of fromMs in the grid
  // trailing[i] = sum of liq over grid indices (i - horizon, i]
  const trailing = new Float64Array(grid.hours);
  let run = 0;
  for (let i = 0; i < grid.hours; i++) {
    run += liq[i]!;
    if (i >= horizonHours) run -= liq[i - horizonHours]!;
    trailing[i] = run;
  }
  const labels = new Uint8Array(hours);
  for (let h = 0; h < hours; h++) labels[h] = trailing[off + h + horizonHours]! >= thresholdUsd ? 1 : 0;
  const eventsMs: number[] = [];
  for (let i = off + 1; i < grid.hours; i++)
    if (trailing[i]! >= thresholdUsd && trailing[i - 1]! < thresholdUsd)
      eventsMs.push(grid.startMs + i * HOUR_MS);
  return {
    hoursMs: Float64Array.from({ length: hours }, (_, h) => fromMs + h * HOUR_MS),
    labels,
    liquidationsUsd: liq.slice(off + 1),
    eventsMs,
  };
}
