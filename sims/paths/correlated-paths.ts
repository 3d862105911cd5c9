/**
 * Several price paths whose diffusion shocks are correlated: each step draws independent
 * standard normals z and uses y = L z, where L is the Cholesky factor of the correlation matrix,
 * so corr(y_a, y_b) is the target. Jumps stay independent per asset (a common crash belongs in a
 * scenario shock or a scripted path), which dilutes the correlation of total returns when jumps
 * are large.
 */
import { cholesky } from "./cholesky.ts";
import { InvalidPathParameterError, requireFinite, requireSteps } from "./errors.ts";
import { createGaussian } from "./gaussian.ts";
import { createMertonStep, type MertonModel } from "./merton-step.ts";
import { createRng } from "./prng.ts";

export type CorrelatedAsset = MertonModel & { s0: number };

export type CorrelatedPathsParameters = {
  assets: readonly CorrelatedAsset[];
  /** Correlation matrix, n×n: nested rows or row-major. Symmetric, unit diagonal, PSD. */
  correlation: readonly (readonly number[])[] | Float64Array;
  steps: number;
  dt: number;
  seed: number;
};

/** One path per asset (steps + 1 prices each), in the order of `assets`. */
export function correlatedPaths(parameters: CorrelatedPathsParameters): Float64Array[] {
  const { assets, steps, dt, seed } = parameters;
  const n = assets.length;
  requireSteps(steps);
  const rho =
    parameters.correlation instanceof Float64Array
      ? parameters.correlation
      : Float64Array.from(parameters.correlation.flat());
  if (rho.length !== n * n) {
    throw new InvalidPathParameterError({
      field: "correlation",
      problem: `has ${rho.length} entries, expected ${n}×${n} for ${n} assets`,
    });
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = rho[i * n + j]!;
      if (i === j ? x !== 1 : !(x >= -1 && x <= 1)) {
        throw new InvalidPathParameterError({
          field: `correlation[${i}][${j}]`,
          problem: `is ${x}, expected ${i === j ? "1 on the diagonal" : "a correlation in [-1, 1]"}`,
        });
      }
    }
  }
  const L = cholesky({ matrix: rho, n });
  const stepOf = assets.map((a, i) => {
    requireFinite(`assets[${i}].s0`, a.s0, { positive: true });
    return createMertonStep(a, dt, `assets[${i}].`);
  });
  const rng = createRng(seed);
  const gaussian = createGaussian(rng);

  const paths = assets.map((a) => {
    const path = new Float64Array(steps + 1);
    path[0] = a.s0;
    return path;
  });
  const logPrice = Float64Array.from(assets, (a) => Math.log(a.s0));
  const z = new Float64Array(n);
  for (let k = 1; k <= steps; k++) {
    for (let i = 0; i < n; i++) z[i] = gaussian();
    for (let i = 0; i < n; i++) {
      let y = 0;
      for (let j = 0; j <= i; j++) y += L[i * n + j]! * z[j]!;
      logPrice[i] = logPrice[i]! + stepOf[i]!(y, rng, gaussian);
      paths[i]![k] = Math.exp(logPrice[i]!);
    }
  }
  return paths;
}
