/**
 * Student-t pieces for fat-tailed innovations: log-gamma, the log density of a t scaled to unit
 * variance (what GARCH-t likelihoods use), and seeded draws of univariate and multivariate
 * standardised t variates. The multivariate draw shares one chi-square mixing variable across
 * assets, so assets crash together more often than a Gaussian copula would allow (tail dependence).
 */
import { InvalidPathParameterError } from "./errors.ts";
import type { Rng } from "./prng.ts";

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Log density at z of a Student-t with `nu` > 2 degrees of freedom scaled to unit variance. */
export function standardizedTLogDensity(z: number, nu: number): number {
  return (
    logGamma((nu + 1) / 2) -
    logGamma(nu / 2) -
    0.5 * Math.log(Math.PI * (nu - 2)) -
    ((nu + 1) / 2) * Math.log(1 + (z * z) / (nu - 2))
  );
}

/** Gamma(shape, 1) variate (Marsaglia and Tsang 2000; shape < 1 by the boost u^(1/shape)). */
export function gammaVariate(shape: number, rng: Rng, gaussian: () => number): number {
  if (shape < 1) return gammaVariate(shape + 1, rng, gaussian) * rng.nextFloat() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gaussian();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.nextFloat();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The factor that turns standard normals into standardised t variates sharing one mixing draw:
 * sqrt((nu - 2) / W), W ~ chi-square(nu). Multiply a (correlated) normal vector by it.
 */
export function tMixingFactor(nu: number, rng: Rng, gaussian: () => number): number {
  const chiSquare = 2 * gammaVariate(nu / 2, rng, gaussian);
  return Math.sqrt((nu - 2) / chiSquare);
}

/** One standardised t variate (mean 0, variance 1). */
export function standardizedT(nu: number, rng: Rng, gaussian: () => number): number {
  return gaussian() * tMixingFactor(nu, rng, gaussian);
}

/** Standardising needs a finite variance: nu > 2. */
export function requireDegreesOfFreedom(field: string, nu: number): void {
  if (!(Number.isFinite(nu) && nu > 2))
    throw new InvalidPathParameterError({
      field,
      problem: `is ${nu}, expected degrees of freedom > 2 (a t with nu <= 2 has no variance)`,
    });
}
