/**
 * The tournament's "learned-valuation" entrant: the model-driven strategy, with a lender whose
 * rate floor is also the learned valuation model's reservation rate for the RFQ (the agents'
 * model-driven lending policy, agents/model-driven-policy.ts, in the tournament's setting). It
 * never takes less than its true reservation either (createLearnedValuation: the higher floor).
 * A borrower plays plain model-driven: the model prices a lender's risk, not a borrower's need.
 *
 * What the lender observes beyond the RFQ, which the tournament does not model (stated, not
 * fitted): the collateral at the scenario's WETH price; free cash of PRINCIPAL_SHARE_OF_FREE
 * (the loan is 30% of its surplus, the training data's mean); a home rate of 0; a calm market
 * (WETH daily volatility 3.5%, no 24 h move; USDC flat).
 */

import { VALUATION_WEIGHTS } from "../../models/valuation/paths.ts";
import { reservationTerms } from "../../models/valuation/reservation-terms.ts";
import {
  createValuationScorer,
  readValuationFile,
  type ValuationScorer,
} from "../../models/valuation/valuation-model.ts";
import { createLearnedValuation } from "../strategies/learned-valuation.ts";
import { createModelDrivenStrategy } from "../strategies/model-driven.ts";
import { createFrequencyModel } from "../strategies/opponent-model.ts";
import type { Strategy } from "../strategies/strategy.ts";
import type { LinearValuation } from "../strategies/utility.ts";
import type { RfqBody } from "../wire/schemas.ts";
import type { Scenario } from "./scenario.ts";

export const PRINCIPAL_SHARE_OF_FREE = 0.3;
const CALM_WETH_VOL_24H = 0.035;
const BASE_HAIRCUT_BPS = 1000;
const PREMIUM_BPS = 0;

let scorer: ValuationScorer | undefined;
/** The shipped model, loaded once (a WeightsFileError names the file if it does not fit). */
const shipped = () => {
  scorer ??= createValuationScorer(readValuationFile(VALUATION_WEIGHTS));
  return scorer;
};

/** The learned model's reservation rate for a tournament RFQ (USDC principal, WETH collateral). */
export function learnedReservationRateBps(
  rfq: RfqBody,
  collateralPriceUsd: number,
  s: ValuationScorer = shipped(),
): number {
  const principalUsd = Number(rfq.principal) / 1e6;
  const estimate = s.estimate({
    principalUsd,
    collateralUsd: (Number(rfq.collateral) / 1e18) * collateralPriceUsd,
    tenorHours: rfq.tenor / 3600,
    maxRateBps: rfq.maxRateBps,
    lenderFreeUsd: principalUsd / PRINCIPAL_SHARE_OF_FREE,
    lenderHomeRateBps: 0,
    collateralVol24h: CALM_WETH_VOL_24H,
    collateralReturn24h: 0,
    principalVol24h: 0,
    sameAsset: false,
  });
  return reservationTerms({
    estimate,
    homeRateBps: 0,
    premiumBps: PREMIUM_BPS,
    tenorSeconds: rfq.tenor,
    baseHaircutBps: BASE_HAIRCUT_BPS,
  }).reservationRateBps;
}

export function createLearnedValuationEntrant(p: {
  valuation: LinearValuation;
  rfq: RfqBody;
  scenario?: Scenario | undefined;
}): Strategy {
  const price = p.scenario?.collateralPriceUsd;
  const valuation =
    p.valuation.side === "lender" && price !== undefined
      ? createLearnedValuation({
          base: p.valuation,
          reservationRateBps: (rfq) => learnedReservationRateBps(rfq, price),
        })
      : p.valuation;
  return createModelDrivenStrategy({
    valuation,
    rfq: p.rfq,
    opponentModel: createFrequencyModel(),
    name: "learned-valuation",
  });
}
