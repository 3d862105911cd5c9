/**
 * Summary statistics over Monte Carlo runs: means with confidence intervals, 95th percentiles
 * (VaR of insolvent debt, LaR of liquidations) with bootstrap confidence intervals. Floats:
 * these describe distributions of outcomes, they are not balances.
 */
import { createRng } from "../paths/prng.ts";

/** Quantile q of a sample by linear interpolation between order statistics (R type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export type Estimate = {
  value: number;
  /** 95% confidence interval. */
  lo: number;
  hi: number;
};

export type MetricSummary = {
  n: number;
  mean: Estimate;
  p95: Estimate;
  min: number;
  max: number;
};

/**
 * Mean and 95th percentile with 95% percentile-bootstrap intervals (`resamples` draws, seeded,
 * so a report is reproducible). With one run the intervals collapse to the value.
 */
export function summarize(xs: readonly number[], { resamples = 2000, seed = 1 } = {}): MetricSummary {
  const n = xs.length;
  const m = mean(xs);
  const p = quantile(xs, 0.95);
  if (n < 2) {
    return {
      n,
      mean: { value: m, lo: m, hi: m },
      p95: { value: p, lo: p, hi: p },
      min: xs[0] ?? Number.NaN,
      max: xs[0] ?? Number.NaN,
    };
  }
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  const p95s = new Float64Array(resamples);
  const sample = new Array<number>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) sample[i] = xs[Math.floor(rng.nextFloat() * n)]!;
    means[b] = mean(sample);
    p95s[b] = quantile(sample, 0.95);
  }
  const ci = (d: Float64Array) => ({ lo: quantile([...d], 0.025), hi: quantile([...d], 0.975) });
  return {
    n,
    mean: { value: m, ...ci(means) },
    p95: { value: p, ...ci(p95s) },
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}
