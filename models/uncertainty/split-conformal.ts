/**
 * Split conformal prediction (Vovk et al.; Lei et al. 2018): from nonconformity scores of a
 * calibration set the model never trained on, the ceil((n+1)(1-alpha))-th smallest score q gives
 * intervals that contain a new exchangeable target with probability >= 1 - alpha (and < 1 - alpha
 * + 1/(n+1) without ties). Generic: absolute residuals, or residuals scaled by a predicted spread
 * (normalised conformal, for heteroscedastic targets such as expected loss in valuation).
 */
import { ModelInputError } from "../errors.ts";

export type ConformalQuantileParameters = { scores: ArrayLike<number>; alpha: number };

/** The conformal quantile; Infinity when the calibration set is too small for this alpha. */
export function conformalQuantile({ scores, alpha }: ConformalQuantileParameters): number {
  if (!(alpha > 0 && alpha < 1)) throw new ModelInputError(`conformal alpha ${alpha} is not in (0, 1).`);
  const n = scores.length;
  if (n === 0) throw new ModelInputError("conformal calibration set is empty.");
  const sorted = Float64Array.from(scores as ArrayLike<number>).sort();
  for (const s of sorted)
    if (!Number.isFinite(s) || s < 0)
      throw new ModelInputError(`nonconformity score ${s} is not a finite non-negative number.`);
  const k = Math.ceil((n + 1) * (1 - alpha));
  return k > n ? Number.POSITIVE_INFINITY : sorted[k - 1]!;
}

export type SplitConformalRegressor = {
  alpha: number;
  quantile: number;
  /** Interval for a point prediction (and its predicted spread, if normalised). */
  interval(prediction: number, spread?: number): [number, number];
};

export type FitSplitConformalParameters = {
  predictions: ArrayLike<number>;
  targets: ArrayLike<number>;
  alpha: number;
  /** Predicted spread per calibration row (normalised conformal); omit for absolute residuals. */
  spreads?: ArrayLike<number>;
};

export function fitSplitConformal({
  predictions,
  targets,
  alpha,
  spreads,
}: FitSplitConformalParameters): SplitConformalRegressor {
  const n = predictions.length;
  if (targets.length !== n || (spreads && spreads.length !== n))
    throw new ModelInputError("split conformal: predictions, targets and spreads differ in length.");
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.abs(targets[i]! - predictions[i]!);
    const s = spreads ? spreads[i]! : 1;
    if (!(s > 0)) throw new ModelInputError(`split conformal: spread ${i} is ${s}, must be > 0.`);
    scores[i] = r / s;
  }
  const q = conformalQuantile({ scores, alpha });
  return {
    alpha,
    quantile: q,
    interval: (prediction, spread = 1) => [prediction - q * spread, prediction + q * spread],
  };
}
