/**
 * The strategies a tournament can field, by name. Each entry builds a fresh Strategy for one
 * session from the side's true valuation and the RFQ.
 */

import { termsAt } from "../strategies/issue-space.ts";
import { createModelDrivenStrategy } from "../strategies/model-driven.ts";
import { createBayesianModel, createFrequencyModel } from "../strategies/opponent-model.ts";
import type { Strategy } from "../strategies/strategy.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createTimeDependentUtilityStrategy } from "../strategies/time-dependent-utility.ts";
import { createTitForTatStrategy } from "../strategies/tit-for-tat.ts";
import type { LinearValuation } from "../strategies/utility.ts";
import type { RfqBody } from "../wire/schemas.ts";
import { createLearnedValuationEntrant } from "./learned-entrant.ts";
import type { Scenario } from "./scenario.ts";

export type StrategyFactory = (p: {
  valuation: LinearValuation;
  rfq: RfqBody;
  /** The scenario the session plays (what an entrant may observe beyond the RFQ). */
  scenario?: Scenario;
}) => Strategy;

export const ROSTER = {
  boulware: ({ valuation, rfq }) =>
    createTimeDependentUtilityStrategy({ valuation, rfq, exponent: "boulware" }),
  linear: ({ valuation, rfq }) => createTimeDependentUtilityStrategy({ valuation, rfq, exponent: "linear" }),
  conceder: ({ valuation, rfq }) =>
    createTimeDependentUtilityStrategy({ valuation, rfq, exponent: "conceder" }),
  "linear+bayes": ({ valuation, rfq }) =>
    createTimeDependentUtilityStrategy({
      valuation,
      rfq,
      exponent: "linear",
      opponentModel: createBayesianModel(),
      name: "linear+bayes",
    }),
  "tit-for-tat": ({ valuation, rfq }) => createTitForTatStrategy({ valuation, rfq }),
  "model-driven": ({ valuation, rfq }) =>
    createModelDrivenStrategy({ valuation, rfq, opponentModel: createFrequencyModel() }),
  // The model-driven strategy whose lender's floor also comes from the learned valuation model
  // (models/valuation): the agents' model-driven lending policy in the tournament.
  "learned-valuation": ({ valuation, rfq, scenario }) =>
    createLearnedValuationEntrant({ valuation, rfq, scenario }),
  // Baseline: today's agent policy, conceding on the rate alone from a fixed template.
  "rate-only": ({ valuation, rfq }) => {
    const lender = valuation.side === "lender";
    const { rateBps: _, ...template } = termsAt(valuation.space, {
      principal: 1,
      rate: 0,
      tenor: 1,
      collateral: 0.5,
      haircut: 0.5,
    });
    const res = valuation.reservationRateBps(rfq);
    return createTimeDependentStrategy({
      side: valuation.side,
      openingRateBps: lender
        ? Math.max(res, rfq.maxRateBps)
        : Math.min(res, Math.round(rfq.maxRateBps * 0.3)),
      reservationRateBps: res,
      exponent: 1,
      template,
      name: "rate-only",
    });
  },
} satisfies Record<string, StrategyFactory>;

export type StrategyName = keyof typeof ROSTER;
export const STRATEGY_NAMES = Object.keys(ROSTER) as StrategyName[];
