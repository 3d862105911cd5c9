/**
 * Correlated standardised Student-t vectors: y_i = sqrt((nu_g - 2) / W_g) (L g)_i, with g
 * independent standard normals, L the Cholesky factor of the correlation matrix, and one
 * W_g ~ chi-square(nu_g) per group of assets per draw. Each y_i has unit variance. Assets in one
 * group share their mixing draw, so their large moves coincide (tail dependence, as ETH and BTC
 * crash together) and their correlation is the target; assets in different groups keep the
 * Gaussian dependence of L g, attenuated by their independent mixing (a depeg's jumps are not
 * ETH's). One group for all is the usual multivariate t.
 */
import { cholesky } from "./cholesky.ts";
import { InvalidPathParameterError } from "./errors.ts";
import type { Rng } from "./prng.ts";
import { logGamma, requireDegreesOfFreedom, tMixingFactor } from "./student-t.ts";

export type MultivariateTParameters = {
  /** n×n row-major correlation matrix (unit diagonal, positive semi-definite). */
  correlation: Float64Array;
  n: number;
  /** Degrees of freedom, > 2 (Infinity: Gaussian): one for all assets, or one per group. */
  nu: number | readonly number[];
  /** Group of each asset (0-based, indexes `nu`). Default: every asset in group 0. */
  group?: readonly number[] | undefined;
  rng: Rng;
  gaussian: () => number;
};

/** Returns a function that fills `out` (length n) with the next draw. */
export function createMultivariateT({
  correlation,
  n,
  nu,
  group,
  rng,
  gaussian,
}: MultivariateTParameters): (out: Float64Array) => void {
  const nus = typeof nu === "number" ? [nu] : [...nu];
  const groupOf = group ?? new Array<number>(n).fill(0);
  if (groupOf.length !== n)
    throw new InvalidPathParameterError({
      field: "group",
      problem: `has ${groupOf.length} entries for ${n} assets`,
    });
  for (const [g, v] of nus.entries())
    if (v !== Number.POSITIVE_INFINITY) requireDegreesOfFreedom(`nu[${g}]`, v);
  for (const [i, g] of groupOf.entries())
    if (!(Number.isInteger(g) && g >= 0 && g < nus.length))
      throw new InvalidPathParameterError({
        field: `group[${i}]`,
        problem: `is ${g}, expected a group in 0..${nus.length - 1}`,
      });
  for (let i = 0; i < n; i++)
    if (correlation[i * n + i] !== 1)
      throw new InvalidPathParameterError({
        field: `correlation[${i}][${i}]`,
        problem: `is ${correlation[i * n + i]}, expected 1 on the diagonal`,
      });
  const L = cholesky({ matrix: correlation, n, tolerance: 1e-9 });
  const g = new Float64Array(n);
  const scale = new Float64Array(nus.length);
  return (out) => {
    for (let i = 0; i < n; i++) g[i] = gaussian();
    for (let k = 0; k < nus.length; k++)
      scale[k] = nus[k] === Number.POSITIVE_INFINITY ? 1 : tMixingFactor(nus[k]!, rng, gaussian);
    for (let i = 0; i < n; i++) {
      let y = 0;
      for (let j = 0; j <= i; j++) y += L[i * n + j]! * g[j]!;
      out[i] = scale[groupOf[i]!]! * y;
    }
  };
}

/**
 * Log density of a standardised multivariate t at z given the inverse correlation matrix and its
 * log determinant (for fitting nu on standardised residual vectors).
 */
export function multivariateTLogDensity(
  z: Float64Array,
  inverse: Float64Array,
  logDeterminant: number,
  nu: number,
): number {
  const d = z.length;
  let q = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += z[i]! * inverse[i * d + j]! * z[j]!;
  return (
    logGamma((nu + d) / 2) -
    logGamma(nu / 2) -
    (d / 2) * Math.log((nu - 2) * Math.PI) -
    0.5 * logDeterminant -
    ((nu + d) / 2) * Math.log(1 + q / (nu - 2))
  );
}

export type FitJointDegreesOfFreedomParameters = {
  /** One column per asset, standardised (mean 0, variance 1), equally long. */
  columns: readonly Float64Array[];
  correlation: Float64Array;
};

/**
 * Maximum-likelihood degrees of freedom of a standardised multivariate t with a given
 * correlation matrix (the second step of a constant-conditional-correlation fit), by golden-section
 * search of log(nu - 2) over nu in (2.05, 202).
 */
export function fitJointDegreesOfFreedom({ columns, correlation }: FitJointDegreesOfFreedomParameters): {
  nu: number;
  logLikelihood: number;
} {
  const d = columns.length;
  const L = cholesky({ matrix: correlation, n: d, tolerance: 1e-9 });
  let logDeterminant = 0;
  for (let i = 0; i < d; i++) logDeterminant += 2 * Math.log(L[i * d + i]!);
  const inverse = inverseFromCholesky(L, d);
  const n = columns[0]!.length;
  const z = new Float64Array(d);
  const logLikelihood = (nu: number) => {
    let sum = 0;
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < d; i++) z[i] = columns[i]![t]!;
      sum += multivariateTLogDensity(z, inverse, logDeterminant, nu);
    }
    return sum;
  };
  let lo = Math.log(0.05);
  let hi = Math.log(200);
  const golden = (Math.sqrt(5) - 1) / 2;
  let a = hi - golden * (hi - lo);
  let b = lo + golden * (hi - lo);
  let fa = logLikelihood(2 + Math.exp(a));
  let fb = logLikelihood(2 + Math.exp(b));
  for (let k = 0; k < 80 && hi - lo > 1e-7; k++) {
    if (fa > fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - golden * (hi - lo);
      fa = logLikelihood(2 + Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + golden * (hi - lo);
      fb = logLikelihood(2 + Math.exp(b));
    }
  }
  const nu = 2 + Math.exp((lo + hi) / 2);
  return { nu, logLikelihood: logLikelihood(nu) };
}

/** (L L^T)^-1 from a full-rank lower-triangular L, row-major. */
export function inverseFromCholesky(L: Float64Array, n: number): Float64Array {
  // Invert L by forward substitution, then A^-1 = L^-T L^-1.
  const Li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (!(L[i * n + i]! > 0))
      throw new InvalidPathParameterError({
        field: "correlation",
        problem: "is singular (an asset is a linear combination of the others); cannot invert it",
      });
    Li[i * n + i] = 1 / L[i * n + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[i * n + k]! * Li[k * n + j]!;
      Li[i * n + j] = -s / L[i * n + i]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = Math.max(i, j); k < n; k++) s += Li[k * n + i]! * Li[k * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}
