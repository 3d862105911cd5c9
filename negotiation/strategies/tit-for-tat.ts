/**
 * Tit-for-tat in utility space (Faratin's imitative tactics). Relative TFT: when the opponent gives
 * up a share of its (modelled) utility, we give up the same share of our surplus above the
 * reservation. Absolute TFT: we give up exactly the utility their move gained us. We never retract,
 * and a small `niceness` per exchange keeps two imitators from staring at each other forever.
 */
import type { RfqBody } from "../wire/schemas.ts";
import type { AcceptanceCondition } from "./acceptance.ts";
import type { TargetFunction } from "./bidding.ts";
import { type BoaStrategy, createBoaStrategy } from "./boa-strategy.ts";
import { type GridLevels, issueValues } from "./issue-space.ts";
import { createFrequencyModel, type OpponentModel } from "./opponent-model.ts";
import type { Side } from "./strategy.ts";
import type { Valuation } from "./utility.ts";

export type TitForTatMode = "relative" | "absolute";

export type TitForTatTargetParameters = {
  mode: TitForTatMode;
  /** Share of the surplus conceded per exchange regardless of the opponent, in [0, 1). */
  niceness: number;
  /** Needed for relative mode: how the opponent values its own offers. */
  opponentModel: OpponentModel;
};

/** The imitative target: a fold over the opponent's offers. For each exchange the opponent's
 *  concession is judged with what we knew at that time, so the target never rises. */
export function titForTatTarget(p: TitForTatTargetParameters): TargetFunction {
  return ({ valuation, reservationUtility: r, theirOffers }) => {
    const them: Side = valuation.side === "lender" ? "borrower" : "lender";
    let surplus = 1 - r;
    for (let k = 1; k < theirOffers.length; k++) {
      const prev = theirOffers[k - 1]!;
      const cur = theirOffers[k]!;
      let share: number;
      if (p.mode === "absolute") {
        const gain = valuation.utility(cur) - valuation.utility(prev);
        share = surplus > 0 ? gain / surplus : 0;
      } else {
        const model = p.opponentModel.estimate({
          space: valuation.space,
          side: them,
          offers: theirOffers.slice(0, k + 1),
        });
        const before = model.utilityOf(issueValues(valuation.space, prev));
        const after = model.utilityOf(issueValues(valuation.space, cur));
        share = before > 0 ? (before - after) / before : 0;
      }
      surplus *= 1 - Math.min(1, Math.max(0, share));
      surplus *= 1 - p.niceness;
    }
    return r + surplus;
  };
}

export type TitForTatParameters = {
  valuation: Valuation;
  rfq: RfqBody;
  /** Default relative. */
  mode?: TitForTatMode;
  /** Default 0.03. */
  niceness?: number;
  /** Default the frequency model. */
  opponentModel?: OpponentModel;
  acceptance?: AcceptanceCondition;
  window?: number;
  grid?: GridLevels;
  name?: string;
};

export function createTitForTatStrategy(p: TitForTatParameters): BoaStrategy {
  const opponentModel = p.opponentModel ?? createFrequencyModel();
  return createBoaStrategy({
    name: p.name ?? "tit-for-tat",
    valuation: p.valuation,
    rfq: p.rfq,
    target: titForTatTarget({ mode: p.mode ?? "relative", niceness: p.niceness ?? 0.03, opponentModel }),
    opponentModel,
    ...(p.acceptance ? { acceptance: p.acceptance } : {}),
    ...(p.window === undefined ? {} : { window: p.window }),
    ...(p.grid ? { grid: p.grid } : {}),
  });
}
