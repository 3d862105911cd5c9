/**
 * How sure is "model A beats model B by this much"? A paired bootstrap over clusters: rows of one
 * cluster (a simulated run) are not independent, so whole clusters are redrawn with replacement,
 * within their stratum (a scenario family, so every draw keeps the families' mix), and the
 * metric's difference is recomputed on each draw; the interval is the draws' quantiles. Both
 * models are scored on the same redrawn rows (paired), which cancels the draws' shared luck.
 */
import { ModelInputError } from "../errors.ts";
import { createRng } from "../random.ts";

export type ClusterBootstrapParameters = {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** Cluster of each row (e.g. "family/seed"). */
  clusters: readonly string[];
  /** Stratum of each row (e.g. the family); clusters are redrawn within their stratum. */
  strata: readonly string[];
  metric: (scores: Float64Array, labels: Uint8Array) => number;
  draws: number;
  seed: number;
  /** Central interval level (0.9: the 5% and 95% quantiles). */
  level?: number;
};

export type ClusterBootstrapResult = {
  /** metric(a) - metric(b) on the rows as they are. */
  estimate: number;
  low: number;
  high: number;
  level: number;
  /** Draws whose rows held both classes (the others are skipped). */
  draws: number;
  clusters: number;
};

export function clusterBootstrapDifference(p: ClusterBootstrapParameters): ClusterBootstrapResult {
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
  const labels = Uint8Array.from({ length: n }, (_, i) => p.labels[i]!);
  const estimate = p.metric(Float64Array.from(p.a), labels) - p.metric(Float64Array.from(p.b), labels);
  const rng = createRng(p.seed);
  const diffs: number[] = [];
  for (let d = 0; d < p.draws; d++) {
    const picked: number[] = [];
    for (const cs of clustersOf.values())
      for (let k = 0; k < cs.length; k++)
        picked.push(...rowsOf.get(cs[Math.floor(rng.next() * cs.length)]!)!);
    const y = Uint8Array.from(picked, (i) => labels[i]!);
    const positives = y.reduce((s, v) => s + v, 0);
    if (positives === 0 || positives === y.length) continue;
    diffs.push(
      p.metric(
        Float64Array.from(picked, (i) => p.a[i]!),
        y,
      ) -
        p.metric(
          Float64Array.from(picked, (i) => p.b[i]!),
          y,
        ),
    );
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
