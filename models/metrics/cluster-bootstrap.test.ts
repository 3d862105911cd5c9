import { describe, expect, it } from "vitest";
import { createRng } from "../random.ts";
import { clusterBootstrapDifference } from "./cluster-bootstrap.ts";
import { averagePrecision } from "./precision-recall.ts";

/** `runs` clusters of 50 rows in two strata; a is the label plus noise, b noisier by `extra`. */
function data(runs: number, extra: number, seed: number) {
  const rng = createRng(seed);
  const labels: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const clusters: string[] = [];
  const strata: string[] = [];
  for (let r = 0; r < runs; r++) {
    // Runs differ: each has its own event rate, so rows of a run move together.
    const rate = 0.05 + 0.3 * rng.next();
    for (let k = 0; k < 50; k++) {
      const y = rng.next() < rate ? 1 : 0;
      labels.push(y);
      a.push(y + rng.next() * 1.5);
      b.push(y + rng.next() * (1.5 + extra));
      clusters.push(`run${r}`);
      strata.push(r % 2 ? "even" : "odd");
    }
  }
  return { labels, a, b, clusters, strata };
}

describe("clusterBootstrapDifference", () => {
  it("brackets the difference, and narrows as runs are added", () => {
    const small = clusterBootstrapDifference({
      ...data(10, 1, 1),
      metric: averagePrecision,
      draws: 200,
      seed: 2,
    });
    const large = clusterBootstrapDifference({
      ...data(160, 1, 1),
      metric: averagePrecision,
      draws: 200,
      seed: 2,
    });
    for (const r of [small, large]) {
      expect(r.low).toBeLessThanOrEqual(r.estimate);
      expect(r.estimate).toBeLessThanOrEqual(r.high);
      expect(r.draws).toBe(200);
    }
    expect(large.clusters).toBe(160);
    expect(large.low).toBeGreaterThan(0); // a is truly better
    expect(large.high - large.low).toBeLessThan((small.high - small.low) * 0.6);
  });

  it("is zero-width for identical models and reproducible per seed", () => {
    const d = data(20, 0, 3);
    const same = clusterBootstrapDifference({ ...d, b: d.a, metric: averagePrecision, draws: 50, seed: 1 });
    expect([same.estimate, same.low, same.high]).toEqual([0, 0, 0]);
    const again = () => clusterBootstrapDifference({ ...d, metric: averagePrecision, draws: 50, seed: 9 });
    expect(again()).toEqual(again());
    expect(() =>
      clusterBootstrapDifference({ ...d, strata: [], metric: averagePrecision, draws: 1, seed: 1 }),
    ).toThrow(/strata/);
  });
});
