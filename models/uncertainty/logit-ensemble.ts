/**
 * Deep-ensemble scoring (Lakshminarayanan et al. 2017) on the logit scale: the members' logits'
 * mean is the point score and their spread the epistemic uncertainty; the interval is the normal
 * band mean +- z sd (z = 1.645 for 90%), and all three go through the same calibration map.
 */

import { sigmoid } from "../baselines/logistic-regression.ts";
import { type PlattScaling, plattOnLogit } from "../calibration/platt.ts";

export type EnsembleScore = { p: number; pLow: number; pHigh: number; logitMean: number; logitSd: number };

export function combineLogits(
  logits: ArrayLike<number>,
  calibration: PlattScaling | null,
  z: number,
): EnsembleScore {
  const m = logits.length;
  let s = 0;
  for (let k = 0; k < m; k++) s += logits[k]!;
  const mean = s / m;
  let v = 0;
  for (let k = 0; k < m; k++) v += (logits[k]! - mean) ** 2;
  const sd = m > 1 ? Math.sqrt(v / (m - 1)) : 0;
  const map = (x: number) => (calibration ? plattOnLogit(calibration, x) : sigmoid(x));
  const a = map(mean - z * sd);
  const b = map(mean + z * sd);
  return { p: map(mean), pLow: Math.min(a, b), pHigh: Math.max(a, b), logitMean: mean, logitSd: sd };
}
