/**
 * A time series as the models see it: each value with the instant it became known (a candle's
 * close is known when the candle ends, a funding rate at its settlement, a CoinGecko point at its
 * timestamp), ascending. Features look values up "as of" an hour, so nothing from after the
 * hour can enter.
 */
import { DataFileError } from "../../errors.ts";

export type KnownSeries = {
  file: string;
  layout: string;
  knownAtMs: Float64Array;
  columns: Record<string, Float64Array>;
  /** Typical spacing of the points (median), ms. */
  intervalMs: number;
};

export const HOUR_MS = 3_600_000;

export function medianSpacing(times: Float64Array): number {
  if (times.length < 2) return HOUR_MS;
  const d = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) d[i - 1] = times[i]! - times[i - 1]!;
  d.sort();
  return d[Math.floor(d.length / 2)]!;
}

/** Sorts by time, drops exact duplicate times (keeps the last), checks there is something. */
export function makeSeries(params: {
  file: string;
  layout: string;
  knownAtMs: number[];
  columns: Record<string, number[]>;
}): KnownSeries {
  const n = params.knownAtMs.length;
  if (n === 0) throw new DataFileError({ file: params.file, problem: "has no usable rows" });
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => params.knownAtMs[a]! - params.knownAtMs[b]! || a - b,
  );
  const keep: number[] = [];
  for (const i of order) {
    if (keep.length && params.knownAtMs[keep[keep.length - 1]!] === params.knownAtMs[i])
      keep[keep.length - 1] = i;
    else keep.push(i);
  }
  const knownAtMs = Float64Array.from(keep, (i) => params.knownAtMs[i]!);
  const columns: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(params.columns)) columns[k] = Float64Array.from(keep, (i) => v[i]!);
  return {
    file: params.file,
    layout: params.layout,
    knownAtMs,
    columns,
    intervalMs: medianSpacing(knownAtMs),
  };
}

/** The points known at or before `cutoffMs` (what a causal consumer could have read then). */
export function truncateSeries(s: KnownSeries, cutoffMs: number): KnownSeries {
  let n = 0;
  while (n < s.knownAtMs.length && s.knownAtMs[n]! <= cutoffMs) n++;
  const columns: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(s.columns)) columns[k] = v.slice(0, n);
  return { ...s, knownAtMs: s.knownAtMs.slice(0, n), columns };
}
