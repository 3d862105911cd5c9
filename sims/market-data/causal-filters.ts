/**
 * The two filters applied to raw points before they become a slice, both causal: what they output
 * for time t depends only on points at or before t (tested by truncating the input).
 *
 * - `causalHampel`: a spike filter. A point more than `threshold` away (in log price) from the
 *   median of itself and the `window - 1` points before it is replaced by that median. An
 *   isolated aggregator spike disappears; a genuine jump is accepted once enough later points
 *   confirm it, so it arrives one or two points late. Replaced points are flagged.
 * - `lastObservation`: resampling onto a grid. The value at a grid time is the last point at or
 *   before it; a point older than `maxAgeSeconds` is still used but flagged stale.
 */

export type CausalHampelParameters = {
  values: Float64Array;
  /** Points in the median, the current one included (>= 3 to remove anything). */
  window: number;
  /** Largest accepted |log(value / median)|. */
  threshold: number;
};

export type CausalHampelReturnType = { values: Float64Array; replaced: Uint8Array };

export function causalHampel({ values, window, threshold }: CausalHampelParameters): CausalHampelReturnType {
  const out = new Float64Array(values.length);
  const replaced = new Uint8Array(values.length);
  const scratch: number[] = [];
  for (let t = 0; t < values.length; t++) {
    scratch.length = 0;
    for (let k = Math.max(0, t - window + 1); k <= t; k++) scratch.push(values[k]!);
    scratch.sort((a, b) => a - b);
    const m = scratch.length;
    const median = m % 2 === 1 ? scratch[(m - 1) / 2]! : Math.sqrt(scratch[m / 2 - 1]! * scratch[m / 2]!);
    if (Math.abs(Math.log(values[t]! / median)) > threshold) {
      out[t] = median;
      replaced[t] = 1;
    } else out[t] = values[t]!;
  }
  return { values: out, replaced };
}

export type LastObservationParameters = {
  /** Point times, ascending. */
  times: Float64Array;
  values: Float64Array;
  /** Grid times, ascending. */
  grid: Float64Array;
  maxAgeSeconds: number;
};

export type LastObservationReturnType = {
  values: Float64Array;
  /** Index of the point used at each grid time (-1: none yet). */
  source: Int32Array;
  stale: Uint8Array;
};

export function lastObservation({
  times,
  values,
  grid,
  maxAgeSeconds,
}: LastObservationParameters): LastObservationReturnType {
  const out = new Float64Array(grid.length).fill(Number.NaN);
  const source = new Int32Array(grid.length).fill(-1);
  const stale = new Uint8Array(grid.length);
  let j = -1;
  for (let g = 0; g < grid.length; g++) {
    while (j + 1 < times.length && times[j + 1]! <= grid[g]!) j++;
    if (j < 0) continue;
    out[g] = values[j]!;
    source[g] = j;
    if (grid[g]! - times[j]! > maxAgeSeconds) stale[g] = 1;
  }
  return { values: out, source, stale };
}
