/**
 * Nelder-Mead simplex minimisation (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
 * contraction 1/2, shrink 1/2). Derivative-free, deterministic, good enough for the few smooth
 * parameters of a GARCH or Student-t likelihood once they are mapped onto an unconstrained space.
 * Written here rather than taken from npm: it is a few dozen lines of our calibration core, and
 * the registry's options are unmaintained or untyped.
 */
import { InvalidPathParameterError } from "./errors.ts";

export type NelderMeadParameters = {
  /** The function to minimise; may return Infinity or NaN for points outside its domain. */
  f: (x: Float64Array) => number;
  x0: readonly number[];
  /** Initial simplex offsets, per coordinate or one for all. Default 0.5. */
  step?: number | readonly number[] | undefined;
  maxIterations?: number | undefined;
  /** Stop when the simplex's values differ by less than this (absolute). Default 1e-9. */
  tolerance?: number | undefined;
};

export type NelderMeadReturnType = {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
};

export function nelderMead({
  f,
  x0,
  step = 0.5,
  maxIterations = 5000,
  tolerance = 1e-9,
}: NelderMeadParameters): NelderMeadReturnType {
  const n = x0.length;
  if (n === 0) throw new InvalidPathParameterError({ field: "x0", problem: "is empty" });
  // Out-of-domain points compare as +Infinity so the simplex walks away from them.
  const value = (x: Float64Array) => {
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  const points: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(x0);
    p[i] = p[i]! + (typeof step === "number" ? step : (step[i] ?? 0.5));
    points.push(p);
  }
  const values = points.map(value);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const along = (from: Float64Array, to: Float64Array, t: number) => {
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = from[j]! + t * (to[j]! - from[j]!);
    return out;
  };

  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    order.sort((a, b) => values[a]! - values[b]! || a - b);
    const best = order[0]!;
    const worst = order[n]!;
    const secondWorst = order[n - 1]!;
    if (Math.abs(values[worst]! - values[best]!) <= tolerance && Number.isFinite(values[best]!)) {
      converged = true;
      break;
    }
    centroid.fill(0);
    for (const i of order.slice(0, n))
      for (let j = 0; j < n; j++) centroid[j] = centroid[j]! + points[i]![j]! / n;

    const reflected = along(centroid, points[worst]!, -1);
    const fr = value(reflected);
    if (fr < values[best]!) {
      const expanded = along(centroid, points[worst]!, -2);
      const fe = value(expanded);
      if (fe < fr) [points[worst], values[worst]] = [expanded, fe];
      else [points[worst], values[worst]] = [reflected, fr];
      continue;
    }
    if (fr < values[secondWorst]!) {
      [points[worst], values[worst]] = [reflected, fr];
      continue;
    }
    // Contract towards the better of the worst point and its reflection.
    const outside = fr < values[worst]!;
    const contracted = along(centroid, outside ? reflected : points[worst]!, 0.5);
    const fc = value(contracted);
    if (fc < (outside ? fr : values[worst]!)) {
      [points[worst], values[worst]] = [contracted, fc];
      continue;
    }
    for (const i of order.slice(1)) {
      points[i] = along(points[best]!, points[i]!, 0.5);
      values[i] = value(points[i]!);
    }
  }
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  return { x: points[order[0]!]!, value: values[order[0]!]!, iterations, converged };
}
