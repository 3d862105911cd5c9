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
