/**
 * The stationary bootstrap (Politis and Romano 1994) over one or more segments of a sample:
 * blocks of consecutive rows with geometrically distributed lengths (mean `meanBlock`), each
 * starting at a uniformly drawn row. A block runs on within its segment and wraps to the
 * segment's first row at its end, so it never joins two unrelated windows.
 *
 * It returns row indices, not values: callers take every asset's innovation from the same row, so
 * a draw keeps the cross-asset correlation and the joint crashes of the sample, and within a block
 * its volatility clustering and autocorrelation.
 */
import { InvalidPathParameterError, requireFinite, requireSteps } from "./errors.ts";
import type { Rng } from "./prng.ts";

export type Segment = { start: number; length: number };

export type StationaryBootstrapParameters = {
  /** Contiguous runs of rows (e.g. one per crisis window), non-empty. */
  segments: readonly Segment[];
  /** How many rows to draw. */
  steps: number;
  /** Mean block length, >= 1 (1: independent draws). */
  meanBlock: number;
  rng: Rng;
};

export function stationaryBootstrapIndices({
  segments,
  steps,
  meanBlock,
  rng,
}: StationaryBootstrapParameters): Int32Array {
  requireSteps(steps);
  requireFinite("meanBlock", meanBlock, { min: 1 });
  if (segments.length === 0)
    throw new InvalidPathParameterError({
      field: "segments",
      problem: "is empty, expected a sample to draw from",
    });
  let total = 0;
  for (const [i, s] of segments.entries()) {
    if (!(Number.isSafeInteger(s.length) && s.length > 0 && Number.isSafeInteger(s.start) && s.start >= 0))
      throw new InvalidPathParameterError({
        field: `segments[${i}]`,
        problem: `is {start: ${s.start}, length: ${s.length}}, expected whole numbers, length > 0`,
      });
    total += s.length;
  }
  // Row r of the pooled sample -> (segment, offset), by walking the cumulative lengths.
  const locate = (r: number): [Segment, number] => {
    for (const s of segments) {
      if (r < s.length) return [s, r];
      r -= s.length;
    }
    throw new Error("unreachable: row beyond the sample");
  };
  const out = new Int32Array(steps);
  const newBlockProbability = 1 / meanBlock;
  let [segment, offset] = locate(Math.floor(rng.nextFloat() * total));
  for (let k = 0; k < steps; k++) {
    if (k > 0) {
      if (rng.nextFloat() < newBlockProbability)
        [segment, offset] = locate(Math.floor(rng.nextFloat() * total));
      else offset = (offset + 1) % segment.length;
    }
    out[k] = segment.start + offset;
  }
  return out;
}
