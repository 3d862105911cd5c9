/**
 * Isotonic calibration: the non-decreasing step function of the score that best fits the labels
 * in squared error (pool-adjacent-violators). Prediction interpolates linearly between block
 * centres and is flat beyond the ends. Needs more events than Platt to be stable.
 */
import { ModelInputError } from "../errors.ts";

export type IsotonicCalibration = { kind: "isotonic"; x: number[]; y: number[] };

export function fitIsotonic({
  scores,
  labels,
}: {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
}): IsotonicCalibration {
  const n = scores.length;
  if (n !== labels.length || n === 0)
    throw new ModelInputError("isotonic calibration: empty or mismatched inputs.");
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Blocks of equal score first (ties share one value), then PAV.
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  for (const i of order) {
    const s = scores[i]!;
    const k = bx.length - 1;
    if (k >= 0 && bx[k] === s) {
      by[k] = (by[k]! * bw[k]! + labels[i]!) / (bw[k]! + 1);
      bw[k]!++;
    } else {
      bx.push(s);
      by.push(labels[i]!);
      bw.push(1);
    }
  }
  const vx: number[][] = [];
  const vy: number[] = [];
  const vw: number[] = [];
  for (let k = 0; k < bx.length; k++) {
    vx.push([bx[k]!]);
    vy.push(by[k]!);
    vw.push(bw[k]!);
    while (vy.length > 1 && vy[vy.length - 2]! > vy[vy.length - 1]!) {
      const w = vw.pop()!;
      const y = vy.pop()!;
      const xs = vx.pop()!;
      const j = vy.length - 1;
      vy[j] = (vy[j]! * vw[j]! + y * w) / (vw[j]! + w);
      vw[j]! += w;
      vx[j]!.push(...xs);
    }
  }
  // Each block is represented at its lowest and highest score, so a block is a flat step.
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < vy.length; j++) {
    const xs = vx[j]!;
    x.push(xs[0]!);
    y.push(vy[j]!);
    if (xs.length > 1) {
      x.push(xs[xs.length - 1]!);
      y.push(vy[j]!);
    }
  }
  return { kind: "isotonic", x, y };
}

export function applyIsotonicOne(c: IsotonicCalibration, s: number): number {
  const { x, y } = c;
  if (s <= x[0]!) return y[0]!;
  if (s >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= s) lo = mid;
    else hi = mid;
  }
  const t = (s - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

export function applyIsotonic(c: IsotonicCalibration, scores: ArrayLike<number>): Float64Array {
  return Float64Array.from(scores as ArrayLike<number>, (s) => applyIsotonicOne(c, s));
}
