/**
 * Intervals the report computes itself (the study's summaries come with theirs):
 *   - a share of seeds (insolvent, recovered, halted) with a Wilson score interval, which stays
 *     honest at 0 and 1 (20 of 20 recovered is [84%, 100%], not the bootstrap's [100%, 100%]);
 *   - the mean of a sample with a seeded percentile bootstrap, like sims/monte-carlo/statistics.ts
 *     but for the mean alone (no sort per resample), so per-protocol tables over many seeds stay
 *     cheap;
 *   - the mean of paired differences (same seed, two modes): seeds share price paths and borrower
 *     books, so pairing removes that common noise from a comparison.
 */
import { createRng } from "../paths/prng.ts";

export type Interval = { value: number; lo: number; hi: number; n: number };

const Z95 = 1.959963984540054;

/** Wilson score interval for `successes` of `n`. */
export function wilsonShare(successes: number, n: number): Interval {
  if (n === 0) return { value: Number.NaN, lo: Number.NaN, hi: Number.NaN, n };
  const p = successes / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { value: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half), n };
}

/** Mean with a 95% percentile-bootstrap interval (seeded: the same sample gives the same interval). */
export function meanInterval(xs: readonly number[], { resamples = 1000, seed = 1 } = {}): Interval {
  const n = xs.length;
  if (n === 0) return { value: Number.NaN, lo: Number.NaN, hi: Number.NaN, n };
  let sum = 0;
  for (const x of xs) sum += x;
  const m = sum / n;
  if (n === 1 || xs.every((x) => x === xs[0])) return { value: m, lo: m, hi: m, n };
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(rng.nextFloat() * n)]!;
    means[b] = s / n;
  }
  means.sort();
  const at = (q: number) => {
    const h = (resamples - 1) * q;
    const lo = Math.floor(h);
    return means[lo]! + (h - lo) * (means[Math.ceil(h)]! - means[lo]!);
  };
  return { value: m, lo: at(0.025), hi: at(0.975), n };
}

export type PairedDifference = Interval & {
  /** Mean of the baseline and of the other sample over the paired seeds. */
  baseline: number;
  other: number;
  /** Every pair equal: the two modes did exactly the same in every seed. */
  identical: boolean;
};

/** other - baseline, paired by key (seed); pairs missing on either side are left out. */
export function pairedDifference(
  baseline: ReadonlyMap<number, number>,
  other: ReadonlyMap<number, number>,
): PairedDifference {
  const diffs: number[] = [];
  let sumBase = 0;
  let sumOther = 0;
  for (const [seed, b] of baseline) {
    const o = other.get(seed);
    if (o === undefined) continue;
    diffs.push(o - b);
    sumBase += b;
    sumOther += o;
  }
  const n = diffs.length;
  const interval = meanInterval(diffs, { resamples: 2000 });
  return {
    ...interval,
    baseline: n === 0 ? Number.NaN : sumBase / n,
    other: n === 0 ? Number.NaN : sumOther / n,
    identical: n > 0 && diffs.every((d) => d === 0),
  };
}

/** Quantile q of a sorted sample (R type 7, as sims/monte-carlo/statistics.ts). */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * (sorted[Math.ceil(h)]! - sorted[lo]!);
}
