import { describe, expect, it } from "vitest";
import { cholesky } from "./cholesky.ts";
import { createGaussian } from "./gaussian.ts";
import { createMultivariateT, fitJointDegreesOfFreedom, inverseFromCholesky } from "./multivariate-t.ts";
import { createRng } from "./prng.ts";
import { correlation, variance } from "./sample-stats.ts";

const R = Float64Array.from([1, 0.8, 0.3, 0.8, 1, 0.1, 0.3, 0.1, 1]);

function draw(nu: number, n: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  const next = createMultivariateT({ correlation: R, n: 3, nu, rng, gaussian: createGaussian(rng) });
  const cols = [0, 1, 2].map(() => new Float64Array(n));
  const y = new Float64Array(3);
  for (let t = 0; t < n; t++) {
    next(y);
    for (let i = 0; i < 3; i++) cols[i]![t] = y[i]!;
  }
  return cols;
}

describe("multivariate standardised t", () => {
  it("has unit variances and the target correlations", () => {
    const cols = draw(6, 200_000, 1);
    for (const c of cols) expect(Math.abs(variance(c) - 1)).toBeLessThan(0.03);
    expect(correlation(cols[0]!, cols[1]!)).toBeCloseTo(0.8, 1);
    expect(correlation(cols[0]!, cols[2]!)).toBeCloseTo(0.3, 1);
    expect(correlation(cols[1]!, cols[2]!)).toBeCloseTo(0.1, 1);
  });

  it("crashes together more often than a Gaussian with the same correlation (tail dependence)", () => {
    const joint = (cols: Float64Array[]) => {
      // Both of the two least correlated assets below -2.5 standard deviations.
      let k = 0;
      for (let t = 0; t < cols[0]!.length; t++) if (cols[1]![t]! < -2.5 && cols[2]![t]! < -2.5) k++;
      return k / cols[0]!.length;
    };
    const t = joint(draw(4, 200_000, 2));
    const gauss = joint(draw(Number.POSITIVE_INFINITY, 200_000, 2));
    expect(t).toBeGreaterThan(3 * gauss);
  });

  it("fits the degrees of freedom back from draws", () => {
    const cols = draw(5, 40_000, 3);
    const { nu } = fitJointDegreesOfFreedom({ columns: cols, correlation: R });
    expect(Math.abs(nu - 5)).toBeLessThan(0.6);
  });

  it("inverts a correlation matrix through its Cholesky factor", () => {
    const inv = inverseFromCholesky(cholesky({ matrix: R, n: 3 }), 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let x = 0;
        for (let k = 0; k < 3; k++) x += R[i * 3 + k]! * inv[k * 3 + j]!;
        expect(x).toBeCloseTo(i === j ? 1 : 0, 12);
      }
  });
});
