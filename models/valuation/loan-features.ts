/**
 * The valuation model's features of a proposed loan, from what the lender sees when the RFQ
 * arrives: the RFQ's terms (principal, collateral, tenor, the borrower's rate cap: its own
 * shortfall cost, the one number of the borrower's state it publishes), the lender's own state
 * (free cash in the token, what idle cash earns at home) and the recent oracle prices of both
 * tokens. The same function builds the training rows (sims/loan-dataset) and the hot path's
 * input (valuation-model.ts), so the model never sees features built two ways.
 */
import { NonFiniteFeatureError } from "../errors.ts";

export const LOAN_FEATURES = [
  "log10_principal_usd",
  "share_of_lender_free_cash",
  "collateral_coverage",
  "tenor_days",
  "borrower_rate_cap",
  "lender_home_rate",
  "collateral_vol_24h",
  "collateral_return_24h",
  "principal_vol_24h",
  "same_asset",
] as const;
export type LoanFeature = (typeof LOAN_FEATURES)[number];

/** Hours of price history the features look back over. */
export const PRICE_WINDOW_HOURS = 24;

export type LoanObservation = {
  principalUsd: number;
  collateralUsd: number;
  tenorHours: number;
  /** The borrower's rate cap (the RFQ's maxRateBps), bps per year. */
  maxRateBps: number;
  /** The lender's surplus in the principal token, USD (its `net` before this loan). */
  lenderFreeUsd: number;
  lenderHomeRateBps: number;
  /** Daily log-return volatility and 24 h log return of the collateral's price. */
  collateralVol24h: number;
  collateralReturn24h: number;
  principalVol24h: number;
  sameAsset: boolean;
};

export type PriceWindowStats = { vol24h: number; return24h: number };

/**
 * Volatility (standard deviation of log returns, scaled to a day) and log return over the last
 * 24 h of `prices` (oldest first, one every `stepHours`). Fewer than two prices: zeros (no
 * movement seen yet). A non-positive or non-finite price is an error, never a NaN feature.
 */
export function priceWindowStats(prices: ArrayLike<number>, stepHours: number): PriceWindowStats {
  const n = prices.length;
  for (let i = 0; i < n; i++) {
    const p = prices[i]!;
    if (!(Number.isFinite(p) && p > 0))
      throw new NonFiniteFeatureError({ feature: "price", hourUtc: `price window index ${i}`, value: p });
  }
  const span = Math.max(1, Math.round(PRICE_WINDOW_HOURS / stepHours));
  const from = Math.max(0, n - 1 - span);
  if (n - from < 2) return { vol24h: 0, return24h: 0 };
  let sum = 0;
  let sq = 0;
  const k = n - 1 - from;
  for (let i = from + 1; i < n; i++) {
    const r = Math.log(prices[i]! / prices[i - 1]!);
    sum += r;
    sq += r * r;
  }
  const mean = sum / k;
  const variance = k > 1 ? Math.max(0, (sq - k * mean * mean) / (k - 1)) : mean * mean;
  return {
    vol24h: Math.sqrt(variance * (24 / stepHours)),
    return24h: Math.log(prices[n - 1]! / prices[from]!),
  };
}

/** Writes the features of `o` into `out` (length LOAN_FEATURES.length) and returns it. Throws
 *  NonFiniteFeatureError naming the feature when an input is NaN or infinite. */
export function buildLoanFeatures(
  o: LoanObservation,
  out: Float32Array = new Float32Array(LOAN_FEATURES.length),
): Float32Array {
  const principal = Math.max(o.principalUsd, 1);
  out[0] = Math.log10(principal);
  out[1] = Math.min(o.principalUsd / Math.max(o.lenderFreeUsd, 1), 10);
  out[2] = Math.min(o.collateralUsd / principal, 10);
  out[3] = o.tenorHours / 24;
  out[4] = o.maxRateBps / 10_000;
  out[5] = o.lenderHomeRateBps / 10_000;
  out[6] = o.collateralVol24h;
  out[7] = o.collateralReturn24h;
  out[8] = o.principalVol24h;
  out[9] = o.sameAsset ? 1 : 0;
  for (let j = 0; j < LOAN_FEATURES.length; j++)
    if (!Number.isFinite(out[j]!))
      throw new NonFiniteFeatureError({
        feature: LOAN_FEATURES[j]!,
        hourUtc: "the proposed loan",
        value: out[j]!,
      });
  return out;
}
