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

/** AUPRC of a score that knows nothing: the base rate. */
export function baseRate(labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += labels[i]!;
  return s / labels.length;
}
