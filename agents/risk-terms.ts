/**
 * The margin a lender asks for: liquidation threshold, liquidation bonus and tightening per risk
 * level, derived from how far the collateral's price may fall before a liquidation completes.
 *
 * The seam the valuation model plugs into: today the default policy passes the collateral's
 * volatility; the model will pass its price interval (wider uncertainty, lower threshold). Floats
 * live here only; the terms leave as integer bps (the named boundary is `toBps`).
 */
import type { Address } from "viem";

/** What is known about the collateral's price risk (relative to the principal token). */
export type CollateralRisk =
  /** Annualised volatility of log returns, e.g. 0.8 for ETH in a calm year. */
  | { volatility: number }
  /** A model's interval of the relative price change over the horizon, e.g. { lower: -0.12 }. */
  | { interval: { lower: number; upper?: number } };

export type RiskTerms = {
  liquidationThresholdBps: number;
  liquidationBonusBps: number;
  tighteningPerLevelBps: number;
};

export type RiskTermsParameters = {
  /** Seconds from the loan turning unhealthy to its liquidation (watch interval, keeper delay). */
  horizonSeconds: number;
  /** Standard normal quantile of the fall to survive (2.33: 99 %). */
  z: number;
  minBonusBps: number;
  maxBonusBps: number;
  minThresholdBps: number;
  maxThresholdBps: number;
  maxTighteningBps: number;
  /** Fixed terms for particular collateral tokens (lowercase address), e.g. a stablecoin. */
  overrides?: Readonly<Record<string, RiskTerms>> | undefined;
};

export const defaultRiskTermsParameters: RiskTermsParameters = {
  horizonSeconds: 24 * 3600,
  z: 2.33,
  minBonusBps: 200,
  maxBonusBps: 1_500,
  minThresholdBps: 5_000,
  maxThresholdBps: 9_500,
  maxTighteningBps: 1_000,
};

const YEAR_SECONDS = 365 * 24 * 3600;

/** The fall (0..1) of the collateral's price to survive over the horizon. */
export function plausibleFall(
  risk: CollateralRisk,
  p: Pick<RiskTermsParameters, "horizonSeconds" | "z">,
): number {
  if ("volatility" in risk) {
    if (!(risk.volatility >= 0) || !Number.isFinite(risk.volatility)) {
      throw new RangeError(`volatility must be a finite number >= 0, got ${risk.volatility}`);
    }
    return 1 - Math.exp(-p.z * risk.volatility * Math.sqrt(p.horizonSeconds / YEAR_SECONDS));
  }
  const lower = risk.interval.lower;
  if (!Number.isFinite(lower) || lower > 0 || lower <= -1) {
    throw new RangeError(`interval.lower must be in (-1, 0], got ${lower}`);
  }
  return -lower;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** The float-to-integer boundary of this module. */
const toBps = (share: number) => Math.floor(share * 10_000);

/**
 * Terms such that a loan liquidated at the threshold still covers its debt plus the bonus after the
 * plausible fall: threshold = (1 - fall) / (1 + bonus). The bonus pays the liquidator's slippage,
 * more for a jumpier collateral (2 % + fall / 4); each risk level tightens by half the fall.
 * Always threshold * (1 + bonus) <= 100 %, as the contract requires.
 */
export function riskTerms(
  collateral: Address,
  risk: CollateralRisk,
  params: Partial<RiskTermsParameters> = {},
): RiskTerms {
  const p = { ...defaultRiskTermsParameters, ...params };
  const fixed = p.overrides?.[collateral.toLowerCase()];
  if (fixed) return fixed;
  const fall = plausibleFall(risk, p);
  const bonusBps = clamp(toBps(0.02 + fall / 4), p.minBonusBps, p.maxBonusBps);
  const thresholdBps = clamp(
    toBps((1 - fall) / (1 + bonusBps / 10_000)),
    p.minThresholdBps,
    p.maxThresholdBps,
  );
  // Clamping up to the minimum could break threshold * (1 + bonus) <= 1: shrink the bonus then.
  const maxBonus = Math.floor(100_000_000 / thresholdBps) - 10_000;
  return {
    liquidationThresholdBps: thresholdBps,
    liquidationBonusBps: Math.min(bonusBps, maxBonus),
    tighteningPerLevelBps: clamp(toBps(fall / 2), 0, p.maxTighteningBps),
  };
}

/** The smallest haircut (bps) at which a loan on these terms opens below its threshold with
 *  `bufferBps` to spare (loan-to-value = 1 - haircut, before interest). */
export function haircutForTerms(terms: RiskTerms, bufferBps = 500): number {
  return Math.min(9_900, 10_000 - terms.liquidationThresholdBps + bufferBps);
}

/** A lender's margin policy from each collateral's annualised volatility (undefined: unknown, lend
 *  unmargined): the default derivation the agent policy's `lenderMargin` takes. */
export function volatilityMargin(
  volatilityOf: (collateral: Address) => number | undefined,
  params: Partial<RiskTermsParameters> = {},
): (collateral: Address) => RiskTerms | undefined {
  return (collateral) => {
    const volatility = volatilityOf(collateral);
    return volatility === undefined ? undefined : riskTerms(collateral, { volatility }, params);
  };
}
