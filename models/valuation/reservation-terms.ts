/**
 * From a valuation estimate to a lender's terms. The reservation rate is the home rate plus a
 * premium plus the upper end of the expected-loss interval spread over the tenor (annualised):
 * the less sure the model, the higher the floor. The haircut is a base haircut plus the upper
 * expected loss, so collateral must cover what the model cannot rule out losing. Both widen as
 * the interval widens ("liquidation thresholds that adjust to the model's confidence").
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
};

export type ReservationTerms = { reservationRateBps: number; haircutBps: number };

const YEAR_SECONDS = 365 * 24 * 3600;

export function reservationTerms(p: ReservationTermsParameters): ReservationTerms {
  const years = Math.max(p.tenorSeconds, 3600) / YEAR_SECONDS;
  const lossHigh = p.estimate.loss.high;
  // Loss over the tenor, as a yearly rate; capped so one loan cannot ask an absurd floor.
  const lossRateBps = Math.min(1_000_000, Math.ceil((lossHigh / years) * 10_000));
  const reservationRateBps = Math.round(p.homeRateBps + p.premiumBps + lossRateBps);
  const haircutBps = Math.min(p.maxHaircutBps ?? 9000, Math.round(p.baseHaircutBps + lossHigh * 10_000));
  return { reservationRateBps, haircutBps };
}
