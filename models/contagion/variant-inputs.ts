/**
 * The input transforms the contagion variant study tries (variant-study.ts): the protocol's own
 * recent changes (trends), same-hour peer aggregates (peers), labels at any horizon, family
 * bagging and clipping inputs to the training range. Each reads only the row's hour or earlier.
 */
import { createFeatureMatrix, type FeatureMatrix } from "../feature-matrix.ts";
import { createRng, permutation } from "../random.ts";
import type { ContagionDataset } from "./dataset.ts";
import { CONTAGION_HORIZONS } from "./features.ts";

/** Inputs whose recent change the "trends" variant adds (6 h and 24 h differences). */
export const TREND_INPUTS = [
  "equity_share",
  "unpaid_share",
  "run_intensity",
  "withdrawal_share",
  "hf_p05",
  "neighbour_stress",
  "flight_share",
  "own_shortfall_share",
  "system_debtrank",
  "system_shortfall_share",
  "utilisation",
  "liquidation_share",
  "equity_loss_share",
  "creditor_stress",
] as const;
const TREND_LAGS = [6, 24] as const;

/**
 * The dataset's inputs plus x(t) - x(t - lag) per protocol-run for TREND_INPUTS; an hour before
 * the run's start has no past and gets 0 (what a detector would see in its first hours).
 */
export function withTrends(d: ContagionDataset): FeatureMatrix {
  const at = new Map<string, number>();
  for (let i = 0; i < d.x.rows; i++) at.set(`${d.track[i]}@${d.hour[i]}`, i);
  const src = TREND_INPUTS.map((n) => d.x.names.indexOf(n));
  const names = [...d.x.names, ...TREND_LAGS.flatMap((lag) => TREND_INPUTS.map((n) => `d${lag}h_${n}`))];
  const cols = names.length;
  const v = new Float32Array(d.x.rows * cols);
  for (let i = 0; i < d.x.rows; i++) {
    v.set(d.x.values.subarray(i * d.x.cols, (i + 1) * d.x.cols), i * cols);
    let k = d.x.cols;
    for (const lag of TREND_LAGS) {
      const j = at.get(`${d.track[i]}@${d.hour[i]! - lag}`);
      for (const c of src) {
        const now = d.x.values[i * d.x.cols + c]!;
        v[i * cols + k++] = j === undefined ? 0 : now - d.x.values[j * d.x.cols + c]!;
      }
    }
  }
  return createFeatureMatrix({ rows: d.x.rows, names, values: v });
}

/** Inputs whose mean and maximum over the run's other protocols at the same hour the "peers" variant adds. */
export const PEER_INPUTS = [
  "equity_loss_share",
  "run_intensity",
  "unpaid_share",
  "withdrawal_share",
  "flight_share",
  "hf_below_1_share",
  "liquidation_share",
  "utilisation",
] as const;

/**
 * The dataset's inputs plus, per PEER_INPUTS, the mean and the maximum over the other protocols
 * of the same run (family and seed) at the same hour: what every protocol shows at that hour, no
 * later hour is read. A protocol alone in its run gets 0.
 */
export function withPeers(d: ContagionDataset): FeatureMatrix {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < d.x.rows; i++) {
    const run = d.track[i]!.split("/").slice(0, 2).join("/");
    const key = `${run}@${d.hour[i]}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  const src = PEER_INPUTS.map((n) => d.x.names.indexOf(n));
  const names = [
    ...d.x.names,
    ...PEER_INPUTS.map((n) => `peer_mean_${n}`),
    ...PEER_INPUTS.map((n) => `peer_max_${n}`),
  ];
  const cols = names.length;
  const k = PEER_INPUTS.length;
  const v = new Float32Array(d.x.rows * cols);
  for (let i = 0; i < d.x.rows; i++) v.set(d.x.values.subarray(i * d.x.cols, (i + 1) * d.x.cols), i * cols);
  for (const g of groups.values()) {
    src.forEach((c, q) => {
      // Sum, largest and second largest: each member's "others" without a second pass.
      let sum = 0;
      let top = Number.NEGATIVE_INFINITY;
      let second = Number.NEGATIVE_INFINITY;
      let topRow = -1;
      for (const i of g) {
        const x = d.x.values[i * d.x.cols + c]!;
        sum += x;
        if (x > top) {
          second = top;
          top = x;
          topRow = i;
        } else if (x > second) second = x;
      }
      for (const i of g) {
        if (g.length < 2) continue;
        const x = d.x.values[i * d.x.cols + c]!;
        v[i * cols + d.x.cols + q] = (sum - x) / (g.length - 1);
        v[i * cols + d.x.cols + k + q] = i === topRow ? second : top;
      }
    });
  }
  return createFeatureMatrix({ rows: d.x.rows, names, values: v });
}

/**
 * Labels and usable rows for any horizon of `hours` hours, from the dataset's hours to the next
 * distress: an event if it comes within `hours`; usable where the row is usable at some dataset
 * horizon (not distressed now; every distressed row is unusable at all three) and the label is
 * known: an event, or the run (the protocol's last hour) lasts `hours` more. For 6, 24 and 72 h
 * this is the dataset's own labels and usable rows.
 */
export function labelsAt(d: ContagionDataset, hours: number): { labels: Uint8Array; usable: Uint8Array } {
  const lastHour = new Map<string, number>();
  for (let i = 0; i < d.x.rows; i++)
    lastHour.set(d.track[i]!, Math.max(lastHour.get(d.track[i]!) ?? 0, d.hour[i]!));
  const labels = new Uint8Array(d.x.rows);
  const usable = new Uint8Array(d.x.rows);
  for (let i = 0; i < d.x.rows; i++) {
    if (!CONTAGION_HORIZONS.some((h) => d.usable[h][i] === 1)) continue;
    const hit = d.hoursToEvent[i]! <= hours;
    labels[i] = hit ? 1 : 0;
    usable[i] = hit || d.hour[i]! + hours <= lastHour.get(d.track[i]!)! ? 1 : 0;
  }
  return { labels, usable };
}

/**
 * `rows` without the rows of round(share x families) of their families, drawn by `seed` (at
 * least one family kept): an ensemble member that never saw some training families, so the
 * members disagree where a family's quirks would mislead them all alike.
 */
export function familyBag(
  d: ContagionDataset,
  rows: readonly number[],
  share: number,
  seed: number,
): number[] {
  const families = [...new Set(rows.map((i) => d.family[i]!))].sort();
  const drop = Math.min(families.length - 1, Math.round(share * families.length));
  const order = permutation(families.length, createRng(seed));
  const dropped = new Set(Array.from(order.subarray(0, drop), (k) => families[k]!));
  return rows.filter((i) => !dropped.has(d.family[i]!));
}

/** Per column, the smallest and largest value. */
export function columnRange(m: FeatureMatrix): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(m.cols).fill(Number.POSITIVE_INFINITY);
  const max = new Float32Array(m.cols).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const x = m.values[i * m.cols + j]!;
      if (x < min[j]!) min[j] = x;
      if (x > max[j]!) max[j] = x;
    }
  return { min, max };
}

/**
 * Each cell clamped into its column's range (in place, returned): the network never extrapolates
 * past what training showed it, as a tree cannot.
 */
export function clipColumns(m: FeatureMatrix, r: { min: Float32Array; max: Float32Array }): FeatureMatrix {
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const k = i * m.cols + j;
      m.values[k] = Math.min(r.max[j]!, Math.max(r.min[j]!, m.values[k]!));
    }
  return m;
}
