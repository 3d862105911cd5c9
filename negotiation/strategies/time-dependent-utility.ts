/**
 * Time-dependent strategies over the multi-issue utility: Boulware, linear and conceder are the
 * same tactic with different concession exponents (Faratin, Sierra & Jennings 1998), asking for
 * utility 1 - t^(1/e) above the reservation and bidding iso-utility offers the opponent model
 * likes. The rate-only `createTimeDependentStrategy` (time-dependent.ts) remains for templates.
 */
import type { RfqBody } from "../wire/schemas.ts";
import type { AcceptanceCondition } from "./acceptance.ts";
import { timeDependentTarget } from "./bidding.ts";
import { type BoaStrategy, createBoaStrategy } from "./boa-strategy.ts";
import type { GridLevels } from "./issue-space.ts";
import type { OpponentModel } from "./opponent-model.ts";
import type { Valuation } from "./utility.ts";

/** Customary exponents: Boulware holds out, conceder gives in early. */
export const CONCESSION_EXPONENTS = { boulware: 0.2, linear: 1, conceder: 3 } as const;

export type TimeDependentUtilityParameters = {
  valuation: Valuation;
  rfq: RfqBody;
  /** e < 1 Boulware, 1 linear, e > 1 conceder; or one of the customary names. */
  exponent: number | keyof typeof CONCESSION_EXPONENTS;
  acceptance?: AcceptanceCondition;
  opponentModel?: OpponentModel;
  window?: number;
  grid?: GridLevels;
  name?: string;
};

export function createTimeDependentUtilityStrategy(p: TimeDependentUtilityParameters): BoaStrategy {
  const e = typeof p.exponent === "number" ? p.exponent : CONCESSION_EXPONENTS[p.exponent];
  return createBoaStrategy({
    name:
      p.name ??
      (typeof p.exponent === "string" ? p.exponent : e < 1 ? "boulware" : e > 1 ? "conceder" : "linear"),
    valuation: p.valuation,
    rfq: p.rfq,
    target: timeDependentTarget(e),
    ...(p.acceptance ? { acceptance: p.acceptance } : {}),
    ...(p.opponentModel ? { opponentModel: p.opponentModel } : {}),
    ...(p.window === undefined ? {} : { window: p.window }),
    ...(p.grid ? { grid: p.grid } : {}),
  });
}
