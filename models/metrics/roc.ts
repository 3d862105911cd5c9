/**
 * ROC curve and its area. Ties between scores are one threshold (the curve moves diagonally),
 * so the area equals the Mann-Whitney probability P(score+ > score-) + P(=)/2.
 */
import { checkScoredLabels, orderDescending } from "./check-inputs.ts";

export type RocPoint = { threshold: number; fpr: number; tpr: number };

export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const { positives, negatives } = checkScoredLabels("ROC", scores, labels, { needBothClasses: true });
  const order = orderDescending(scores);
  const points: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      points.push({ threshold: scores[i]!, fpr: fp / negatives, tpr: tp / positives });
    }
  }
  return points;
}

/** Area under the ROC curve (trapezoids between thresholds). */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const pts = rocCurve(scores, labels);
  let area = 0;
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1]!;
    const b = pts[k]!;
    area += (b.fpr - a.fpr) * (a.tpr + b.tpr) * 0.5;
  }
  return area;
}
