/**
 * How sure is "model A beats model B by this much" in AUPRC? A paired bootstrap over clusters:
 * rows of one cluster (a simulated run) are not independent, so whole clusters are redrawn with
 * replacement, within their stratum (a scenario family, so every draw keeps the families' mix),
 * and the AUPRC difference is recomputed on each draw; the interval is the draws' quantiles. Both
 * models are scored on the same redrawn rows (paired), which cancels the draws' shared luck. A
 * draw is a multiplicity per row, scored over each model's order sorted once
 * (weightedAveragePrecision), so a draw costs O(rows), not a sort.
 */
import { ModelInputError } from "../errors.ts";
import { createRng } from "../random.ts";
import { orderDescending } from "./check-inputs.ts";
import { averagePrecision, weightedAveragePrecision } from "./precision-recall.ts";

export type ClusterBootstrapParameters = {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** Cluster of each row (e.g. "family/seed"). */
  clusters: readonly string[];
  /** Stratum of each row (e.g. the family); clusters are redrawn within their stratum. */
  strata: readonly string[];
  draws: number;
  seed: number;
  /** Central interval level (0.9: the 5% and 95% quantiles). */
  level?: number;
};

export type ClusterBootstrapResult = {
  /** AUPRC(a) - AUPRC(b) on the rows as they are. */
  estimate: number;
  low: number;
  high: number;
  level: number;
  /** Draws whose rows held both classes (the others are skipped). */
  draws: number;
  clusters: number;
};

export function clusterBootstrapAuprcGain(p: ClusterBootstrapParameters): ClusterBootstrapResult {
  const n = p.labels.length;
  if (p.a.length !== n || p.b.length !== n || p.clusters.length !== n || p.strata.length !== n)
    throw new ModelInputError(
      `cluster bootstrap: ${n} labels but ${p.a.length} and ${p.b.length} scores, ${p.clusters.length} clusters, ${p.strata.length} strata.`,
    );
  const level = p.level ?? 0.9;
  // Rows of each cluster, clusters of each stratum.
  const rowsOf = new Map<string, number[]>();
  const clustersOf = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const c = p.clusters[i]!;
    let rows = rowsOf.get(c);
    if (!rows) {
      rows = [];
      rowsOf.set(c, rows);
      const s = p.strata[i]!;
      if (!clustersOf.has(s)) clustersOf.set(s, []);
      clustersOf.get(s)!.push(c);
    }
    rows.push(i);
  }
  const estimate = averagePrecision(p.a, p.labels) - averagePrecision(p.b, p.labels);
  const orderA = orderDescending(p.a);
  const orderB = orderDescending(p.b);
  const clusterRows = [...rowsOf.values()];
  const clusterIndex = new Map([...rowsOf.keys()].map((c, k) => [c, k]));
  const strata = [...clustersOf.values()].map((cs) => cs.map((c) => clusterIndex.get(c)!));
  const rng = createRng(p.seed);
  const times = new Float64Array(clusterRows.length);
  const weights = new Float64Array(n);
  const diffs: number[] = [];
  for (let d = 0; d < p.draws; d++) {
    times.fill(0);
    for (const cs of strata)
      for (let k = 0; k < cs.length; k++) times[cs[Math.floor(rng.next() * cs.length)]!]! += 1;
    clusterRows.forEach((rows, c) => {
      for (const i of rows) weights[i] = times[c]!;
    });
    const ga = weightedAveragePrecision(orderA, p.a, p.labels, weights);
    const gb = weightedAveragePrecision(orderB, p.b, p.labels, weights);
    // A draw with no event, or nothing but events, has no AUPRC: skipped.
    let drawn = 0;
    for (let c = 0; c < clusterRows.length; c++) drawn += times[c]! * clusterRows[c]!.length;
    if (Number.isNaN(ga) || Number.isNaN(gb) || sumPositives(p.labels, weights) === drawn) continue;
    diffs.push(ga - gb);
  }
  diffs.sort((x, y) => x - y);
  const q = (f: number) =>
    diffs[Math.min(diffs.length - 1, Math.max(0, Math.round(f * (diffs.length - 1))))]!;
  return {
    estimate,
    low: diffs.length ? q((1 - level) / 2) : Number.NaN,
    high: diffs.length ? q(1 - (1 - level) / 2) : Number.NaN,
    level,
    draws: diffs.length,
    clusters: rowsOf.size,
  };
}

function sumPositives(labels: ArrayLike<number>, weights: Float64Array): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) if (labels[i] === 1) s += weights[i]!;
  return s;
}
