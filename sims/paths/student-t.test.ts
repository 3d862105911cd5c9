import { describe, expect, it } from "vitest";
import { createGaussian } from "./gaussian.ts";
import { createRng } from "./prng.ts";
import { excessKurtosis, mean, variance } from "./sample-stats.ts";
import {
  gammaVariate,
  logGamma,
  requireDegreesOfFreedom,
  standardizedT,
  standardizedTLogDensity,
} from "./student-t.ts";

describe("logGamma", () => {
  it("matches known values", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(100.5)).toBeCloseTo(361.4355404677776, 10); // log Γ(100.5), Python math.lgamma
  });
});

describe("standardised Student-t", () => {
  it("has a density that integrates to 1 and unit variance", () => {
    for (const nu of [3, 5, 30]) {
      let mass = 0;
      let second = 0;
      const dz = 0.001;
      for (let z = -200; z <= 200; z += dz) {
        const p = Math.exp(standardizedTLogDensity(z, nu));
        mass += p * dz;
        second += z * z * p * dz;
      }
      expect(mass).toBeCloseTo(1, 3);
      // The t(3) variance integral converges slowly in the tails; 400 units wide gets within 1%.
      expect(second).toBeGreaterThan(0.98);
      expect(second).toBeLessThan(1.01);
    }
  });

  it("draws have mean 0, variance 1 and the t's excess kurtosis 6 / (nu - 4)", () => {
    const rng = createRng(3);
    const gaussian = createGaussian(rng);
    const nu = 10;
    const z = Float64Array.from({ length: 400_000 }, () => standardizedT(nu, rng, gaussian));
    expect(Math.abs(mean(z))).toBeLessThan(0.01);
    expect(Math.abs(variance(z) - 1)).toBeLessThan(0.015);
    expect(excessKurtosis(z)).toBeGreaterThan(0.8); // theory 1.0; the sample estimate is noisy
    expect(excessKurtosis(z)).toBeLessThan(1.25);
  });

  it("gamma variates have mean and variance equal to the shape, also below shape 1", () => {
    const rng = createRng(4);
    const gaussian = createGaussian(rng);
    for (const shape of [0.4, 2.5]) {
      const g = Float64Array.from({ length: 200_000 }, () => gammaVariate(shape, rng, gaussian));
      expect(mean(g)).toBeCloseTo(shape, 1);
      expect(Math.abs(variance(g) / shape - 1)).toBeLessThan(0.03);
    }
  });

  it("refuses degrees of freedom without a variance", () => {
    expect(() => requireDegreesOfFreedom("nu", 2)).toThrow(/nu: is 2, expected degrees of freedom > 2/);
    expect(() => requireDegreesOfFreedom("nu", Number.NaN)).toThrow(/nu: is NaN/);
  });
});
