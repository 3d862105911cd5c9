import { describe, expect, it } from "vitest";
import { correlatedPaths } from "./correlated-paths.ts";
import { correlation, logReturns, variance } from "./sample-stats.ts";

const target = [
  [1, 0.8, -0.3],
  [0.8, 1, 0],
  [-0.3, 0, 1],
];
const assets = [
  { s0: 2000, mu: 0, sigma: 0.8 },
  { s0: 30000, mu: 0, sigma: 0.6 },
  { s0: 1, mu: 0, sigma: 0.05 },
];
const daily = 1 / 365;

describe("correlatedPaths", () => {
  it("is deterministic per seed", () => {
    const p = { assets, correlation: target, steps: 300, dt: daily, seed: 3 };
    expect(correlatedPaths(p)).toEqual(correlatedPaths(p));
    expect(correlatedPaths(p)[0]).not.toEqual(correlatedPaths({ ...p, seed: 4 })[0]);
  });

  it("hits the target correlations and each asset's volatility", () => {
    const paths = correlatedPaths({ assets, correlation: target, steps: 50_000, dt: daily, seed: 8 });
    const r = paths.map(logReturns);
    // Standard error of a sample correlation is about (1 - rho^2) / sqrt(N) <= 0.0045 here.
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++)
        expect(Math.abs(correlation(r[i]!, r[j]!) - target[i]![j]!)).toBeLessThan(0.02);
      expect(Math.sqrt(variance(r[i]!) / daily)).toBeCloseTo(assets[i]!.sigma, 1);
    }
  });

  it("refuses impossible correlations with a clear error", () => {
    const impossible = [
      [1, 0.9, 0.9],
      [0.9, 1, -0.9],
      [0.9, -0.9, 1],
    ];
    expect(() => correlatedPaths({ assets, correlation: impossible, steps: 10, dt: daily, seed: 1 })).toThrow(
      /not positive semi-definite/,
    );
    expect(() =>
      correlatedPaths({
        assets,
        correlation: [
          [1, 0.5, 0],
          [0.5, 2, 0],
          [0, 0, 1],
        ],
        steps: 10,
        dt: daily,
        seed: 1,
      }),
    ).toThrow(/correlation\[1\]\[1\]: is 2, expected 1 on the diagonal/);
    expect(() =>
      correlatedPaths({
        assets,
        correlation: [
          [1, 0],
          [0, 1],
        ],
        steps: 10,
        dt: daily,
        seed: 1,
      }),
    ).toThrow(/correlation: has 4 entries, expected 3×3/);
  });
});
