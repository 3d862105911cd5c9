/**
 * Precision-recall curve and average precision (AUPRC as scikit-learn computes it:
 * sum over thresholds of (R_n - R_{n-1}) * P_n, no interpolation). With a 3% base rate this
 * is the figure that separates a useful warning from one that ranks quiet hours well.
 */
import { checkScoredLabels, orderDescending } from "./check-inputs.ts";

export type PrPoint = { threshold: number; recall: number; precision: number };

export function precisionRecallCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrPoint[] {
  const { positives } = checkScoredLabels("PR curve", scores, labels, { needBothClasses: true });
  const order = orderDescending(scores);
  const points: PrPoint[] = [];
  let tp = 0;
  let seen = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    seen++;
    if (labels[i] === 1) tp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      points.push({ threshold: scores[i]!, recall: tp / positives, precision: tp / seen });
    }
  }
  return points;
}

export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const pts = precisionRecallCurve(scores, labels);
  let ap = 0;
  let prevRecall = 0;
  for (const p of pts) {
    ap += (p.recall - prevRecall) * p.precision;
    prevRecall = p.recall;
  }
  return ap;
}

/**
 * Average precision of rows counted `weights[i]` times each (a bootstrap draw as multiplicities),
 * walking `order` (orderDescending(scores), computed once for every draw): equal to
 * averagePrecision over the rows repeated, in O(n) instead of a sort per draw. NaN when the
 * weighted rows hold no event.
 */
export function weightedAveragePrecision(
  order: ArrayLike<number>,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  let positives = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i] === 1) positives += weights[i]!;
  }
  if (positives === 0) return Number.NaN;
  let ap = 0;
  let tp = 0;
  let seen = 0;
  let prevTp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const w = weights[i]!;
    seen += w;
    if (labels[i] === 1) tp += w;
    const next = order[k + 1];
    // A threshold ends where the score changes (ties share one point, as in precisionRecallCurve).
    if ((next === undefined || scores[next] !== scores[i]) && seen > 0) {
      ap += ((tp - prevTp) / positives) * (tp / seen);
      prevTp = tp;
    }
  }
  return ap;
}

/** AUPRC of a score that knows nothing: the base rate. */
export function baseRate(labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += labels[i]!;
  return s / labels.length;
}
