/**
 * Puts series on the hourly decision grid. Hour t (an instant, e.g. 2021-05-19 12:00 UTC) sees a
 * value only if it was known at or before t, and only while it is fresh (not older than
 * `maxAgeMs`); otherwise the hour has none (NaN), and its feature group is absent.
 */
import { HOUR_MS, type KnownSeries } from "../../datasets/market/series.ts";

export type HourGrid = { startMs: number; hours: number };

export function gridTimes(g: HourGrid): Float64Array {
  return Float64Array.from({ length: g.hours }, (_, i) => g.startMs + i * HOUR_MS);
}

/** The last value known at each grid hour, NaN if none or stale. */
export function alignAsOf(s: KnownSeries, values: Float64Array, g: HourGrid, maxAgeMs: number): Float64Array {
  const out = new Float64Array(g.hours).fill(Number.NaN);
  let k = -1;
  const n = s.knownAtMs.length;
  for (let i = 0; i < g.hours; i++) {
    const t = g.startMs + i * HOUR_MS;
    while (k + 1 < n && s.knownAtMs[k + 1]! <= t) k++;
    if (k >= 0 && t - s.knownAtMs[k]! <= maxAgeMs) out[i] = values[k]!;
  }
  return out;
}

/** Values whose time falls exactly on a grid hour (sums of per-hour flows such as liquidations); 0 elsewhere. */
export function alignExact(s: KnownSeries, values: Float64Array, g: HourGrid): Float64Array {
  const out = new Float64Array(g.hours);
  for (let k = 0; k < s.knownAtMs.length; k++) {
    const i = (s.knownAtMs[k]! - g.startMs) / HOUR_MS;
    if (Number.isInteger(i) && i >= 0 && i < g.hours) out[i]! += values[k]!;
  }
  return out;
}

/** How stale a role's value may be: 1.5 intervals, at least 3 hours. */
export function defaultMaxAge(s: KnownSeries): number {
  return Math.max(3 * HOUR_MS, 1.5 * s.intervalMs);
}
