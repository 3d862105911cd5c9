/**
 * The model-driven lender's margin: the fall of the collateral to survive comes from what the
 * agent has seen of the collateral (its own 24 h volatility, as the default policy's rule) widened
 * by how unsure the valuation model is about this loan (the width of its conformal loss interval).
 * The result goes through risk-terms.ts as a price interval, so a wider model interval gives a
 * lower liquidation threshold, a larger bonus and more tightening per risk level.
 */
import type { Address } from "viem";
import type { ValuationEstimate } from "../models/valuation/valuation-model.ts";
import {
  defaultRiskTermsParameters,
  type RiskTerms,
  type RiskTermsParameters,
  riskTerms,
} from "./risk-terms.ts";

export type ModelMarginParameters = Partial<RiskTermsParameters> & {
  /** Largest fall the interval may ask to survive (risk-terms.ts needs a fall < 1). */
  maxFall?: number;
};

const DAY_SECONDS = 24 * 3600;

/** The price interval's lower end (a fall, negative) for this estimate and observed daily vol. */
export function modelFall(
  estimate: ValuationEstimate,
  collateralVol24h: number,
  params: ModelMarginParameters = {},
): number {
  const p = { ...defaultRiskTermsParameters, ...params };
  if (!(collateralVol24h >= 0) || !Number.isFinite(collateralVol24h)) {
    throw new RangeError(`collateralVol24h must be a finite number >= 0, got ${collateralVol24h}`);
  }
  const volFall = 1 - Math.exp(-p.z * collateralVol24h * Math.sqrt(p.horizonSeconds / DAY_SECONDS));
  // The model's uncertainty: the width of its loss interval (a share of principal).
  const width = Math.max(0, estimate.loss.high - estimate.loss.low);
  return Math.min(params.maxFall ?? 0.9, volFall + width);
}

/** The margin a model-driven lender asks for on this loan. */
export function modelMargin(
  collateral: Address,
  estimate: ValuationEstimate,
  collateralVol24h: number,
  params: ModelMarginParameters = {},
): RiskTerms {
  const fall = modelFall(estimate, collateralVol24h, params);
  return riskTerms(collateral, { interval: { lower: -fall } }, params);
}
