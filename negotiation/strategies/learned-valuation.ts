/**
 * A learned model behind the `Valuation` interface: utility as the base valuation has it, but the
 * reservation rate asked afresh from the model at every step (agents/model-driven-policy.ts
 * supplies one from the valuation model's reservation terms). A lender never takes less than
 * either floor; a borrower never pays more than either ceiling. When the model has no opinion
 * (undefined), the base's reservation stands.
 */
import type { RfqBody } from "../wire/schemas.ts";
import type { Valuation } from "./utility.ts";

export type CreateLearnedValuationParameters = {
  base: Valuation;
  /** The model's reservation rate for this RFQ, bps per year, or undefined. */
  reservationRateBps: (rfq: RfqBody) => number | undefined;
};

export function createLearnedValuation({
  base,
  reservationRateBps,
}: CreateLearnedValuationParameters): Valuation {
  const lender = base.side === "lender";
  return {
    side: base.side,
    space: base.space,
    utility: (terms) => base.utility(terms),
    reservationUtility: (rfq) => base.reservationUtility(rfq),
    reservationRateBps(rfq) {
      const own = base.reservationRateBps(rfq);
      const learned = reservationRateBps(rfq);
      if (learned === undefined || !Number.isFinite(learned)) return own;
      return lender ? Math.max(own, learned) : Math.min(own, learned);
    },
    ...(base.utilityAtRate ? { utilityAtRate: base.utilityAtRate } : {}),
  };
}
