/**
 * From a valuation estimate to a lender's terms. The haircut is a base haircut plus the upper end
 * of the expected-loss interval (capped): the lender answers an uncertain loan with more
 * collateral first. The reservation rate is the home rate plus a premium, plus a capital charge
 * on the upper loss (the lender holds that share of the principal against the loan's tail, and
 * that capital costs `capitalChargeBps` a year), plus the part of the upper loss the capped
 * haircut cannot absorb, spread over the tenor (annualised). Annualising the whole upper loss
 * made every short-tenor floor unpayable (a 24 h loan with a 1% upper loss asks 36,500 bps);
 * collateral, not rate, is what covers a short loan's tail. Both widen as the interval widens
 * ("liquidation thresholds that adjust to the model's confidence"; tested in valuation.test.ts).
 */
import type { ValuationEstimate } from "./valuation-model.ts";

export type ReservationTermsParameters = {
  estimate: ValuationEstimate;
  homeRateBps: number;
  premiumBps: number;
  tenorSeconds: number;
  baseHaircutBps: number;
  /** Highest haircut a lender asks for (past it, it stays out). */
  maxHaircutBps?: number;
  /** Yearly cost of the capital held against the upper loss, bps (default 2,000: 20% a year). */
  capitalChargeBps?: number;
};

export type ReservationTerms = { reservationRateBps: number; haircutBps: number };

const YEAR_SECONDS = 365 * 24 * 3600;
export const DEFAULT_CAPITAL_CHARGE_BPS = 2000;

export function reservationTerms(p: ReservationTermsParameters): ReservationTerms {
  const years = Math.max(p.tenorSeconds, 3600) / YEAR_SECONDS;
  const lossHigh = p.estimate.loss.high;
  const wantedHaircutBps = Math.round(p.baseHaircutBps + lossHigh * 10_000);
  const haircutBps = Math.min(p.maxHaircutBps ?? 9000, wantedHaircutBps);
  // What the haircut cannot absorb, over the tenor, as a yearly rate; capped so one loan cannot
  // ask an absurd floor.
  const unabsorbed = (wantedHaircutBps - haircutBps) / 10_000;
  const lossRateBps = Math.min(1_000_000, Math.ceil((unabsorbed / years) * 10_000));
  const capitalBps = Math.ceil(lossHigh * (p.capitalChargeBps ?? DEFAULT_CAPITAL_CHARGE_BPS));
  const reservationRateBps = Math.round(p.homeRateBps + p.premiumBps + capitalBps + lossRateBps);
  return { reservationRateBps, haircutBps };
}
