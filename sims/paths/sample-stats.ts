/** Small sample statistics over typed arrays, for checking and summarising generated paths. */

/** Log returns log(p[k+1] / p[k]), length p.length - 1. */
export function logReturns(path: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, path.length - 1));
  for (let k = 0; k < out.length; k++) out[k] = Math.log(path[k + 1]! / path[k]!);
  return out;
}

export function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Unbiased sample variance. */
export function variance(xs: Float64Array): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (xs.length - 1);
}

/** Pearson correlation of two equally long samples. */
export function correlation(xs: Float64Array, ys: Float64Array): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < xs.length; k++) {
    const dx = xs[k]! - mx;
    const dy = ys[k]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Largest fall from the starting value, as a fraction (-0.43 for a 43% trough). */
export function troughFromStart(path: Float64Array): number {
  let low = Number.POSITIVE_INFINITY;
  for (const x of path) low = Math.min(low, x);
  return low / path[0]! - 1;
}

/** Excess kurtosis (0 for a normal sample): the fourth central moment over the variance squared, minus 3. */
export function excessKurtosis(xs: Float64Array): number {
  const m = mean(xs);
  let s2 = 0;
  let s4 = 0;
  for (const x of xs) {
    const d = (x - m) ** 2;
    s2 += d;
    s4 += d * d;
  }
  const n = xs.length;
  return s4 / n / (s2 / n) ** 2 - 3;
}

/** The q-quantile (0 <= q <= 1) by linear interpolation between order statistics. */
export function quantile(xs: Float64Array, q: number): number {
  const sorted = Float64Array.from(xs).sort();
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}
