/**
 * One proposed loan of the loan dataset: where it came from (family, scenario, seed, step: the
 * split is by family, never by row), what the lender saw (the valuation model's observation),
 * a little of the borrower's private state (for analysis; a lender cannot see it), and the
 * outcome once the loan resolved.
 */
import type { LoanObservation } from "../../models/valuation/loan-features.ts";

export type LoanOutcome = {
  /** The borrower did not repay by maturity plus the grace period (the lender claimed). */
  shortfall: boolean;
  /** What the lender lost, as a share of the principal's USD value at the start, in [0, 1]:
   *  the amount due less the collateral's value when claimed (0 when repaid). */
  lossShare: number;
};

export type LoanRow = {
  family: string;
  scenario: string;
  seed: number;
  step: number;
  /** The step the lender learned the outcome: repaid, claimed, or the run's last step. */
  resolvedStep: number;
  lender: string;
  borrower: string;
  borrowerKind: string;
  /** Borrower's liquid cash over what it owes now, in the principal token (private). */
  borrowerCashCover: number;
  /** Who proposed it: the study's own RFQ or random terms (proposal-policy.ts). */
  source: "study" | "random";
  /** Still open when the run ended: the outcome is the horizon marked to market. */
  markedAtEnd: boolean;
  observation: LoanObservation;
} & LoanOutcome;

export const LOAN_ROW_COLUMNS = [
  "family",
  "scenario",
  "seed",
  "step",
  "resolved_step",
  "lender",
  "borrower",
  "borrower_kind",
  "borrower_cash_cover",
  "source",
  "marked_at_end",
  "principal_usd",
  "collateral_usd",
  "tenor_hours",
  "max_rate_bps",
  "lender_free_usd",
  "lender_home_rate_bps",
  "collateral_vol_24h",
  "collateral_return_24h",
  "principal_vol_24h",
  "same_asset",
  "shortfall",
  "loss_share",
] as const;

export function loanRowToCsv(r: LoanRow): string {
  const o = r.observation;
  return [
    r.family,
    r.scenario,
    r.seed,
    r.step,
    r.resolvedStep,
    r.lender,
    r.borrower,
    r.borrowerKind,
    r.borrowerCashCover,
    r.source,
    r.markedAtEnd ? 1 : 0,
    o.principalUsd,
    o.collateralUsd,
    o.tenorHours,
    o.maxRateBps,
    o.lenderFreeUsd,
    o.lenderHomeRateBps,
    o.collateralVol24h,
    o.collateralReturn24h,
    o.principalVol24h,
    o.sameAsset ? 1 : 0,
    r.shortfall ? 1 : 0,
    r.lossShare,
  ].join(",");
}
