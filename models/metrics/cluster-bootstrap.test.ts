import { describe, expect, it } from "vitest";
import { createRng } from "../random.ts";
import { orderDescending } from "./check-inputs.ts";
import { clusterBootstrapAuprcGain } from "./cluster-bootstrap.ts";
import { averagePrecision, weightedAveragePrecision } from "./precision-recall.ts";

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

describe("clusterBootstrapAuprcGain", () => {
  it("brackets the difference, and narrows as runs are added", () => {
    const small = clusterBootstrapAuprcGain({
      ...data(10, 1, 1),
      draws: 200,
      seed: 2,
    });
    const large = clusterBootstrapAuprcGain({
      ...data(160, 1, 1),
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
    const same = clusterBootstrapAuprcGain({ ...d, b: d.a, draws: 50, seed: 1 });
    expect([same.estimate, same.low, same.high]).toEqual([0, 0, 0]);
    const again = () => clusterBootstrapAuprcGain({ ...d, draws: 50, seed: 9 });
    expect(again()).toEqual(again());
    expect(() => clusterBootstrapAuprcGain({ ...d, strata: [], draws: 1, seed: 1 })).toThrow(/strata/);
  });
});

describe("weightedAveragePrecision", () => {
  it("equals average precision over the rows repeated by their weights, ties included", () => {
    const scores = [0.9, 0.8, 0.8, 0.5, 0.5, 0.5, 0.2, 0.1];
    const labels = [1, 0, 1, 0, 1, 1, 0, 1];
    const weights = [2, 0, 1, 3, 1, 0, 2, 1];
    const repeated = scores.flatMap((s, i) => Array<number>(weights[i]!).fill(s));
    const repeatedLabels = labels.flatMap((y, i) => Array<number>(weights[i]!).fill(y));
    expect(weightedAveragePrecision(orderDescending(scores), scores, labels, weights)).toBeCloseTo(
      averagePrecision(repeated, repeatedLabels),
      12,
    );
    expect(
      weightedAveragePrecision(
        orderDescending(scores),
        scores,
        labels,
        scores.map(() => 1),
      ),
    ).toBeCloseTo(averagePrecision(scores, labels), 12);
    expect(
      weightedAveragePrecision(
        orderDescending(scores),
        scores,
        labels,
        scores.map(() => 0),
      ),
    ).toBeNaN();
  });
});
