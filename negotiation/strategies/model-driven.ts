/**
 * Model-driven strategy: reservation values come from the Valuation (the learned model) at every
 * step, so a model that re-estimates mid-negotiation bounds the very next bid and acceptance. Its
 * concession aims not at our reservation but at what the opponent is predicted to offer by the
 * deadline (a least-squares line through the utility of its offers so far, as in IAMhaggler and
 * Agent K): against a fast conceder it holds, against a hard-liner it falls back to the reservation.
 */
import type { RfqBody } from "../wire/schemas.ts";
import { type AcceptanceCondition, acCombi } from "./acceptance.ts";
import type { TargetFunction } from "./bidding.ts";
import { type BoaStrategy, createBoaStrategy } from "./boa-strategy.ts";
import type { GridLevels } from "./issue-space.ts";
import { createFrequencyModel, type OpponentModel } from "./opponent-model.ts";
import type { Valuation } from "./utility.ts";

/** Least-squares prediction at x = 1 of points (x_k, y_k); undefined with fewer than two points. */
export function predictAtOne(points: readonly { x: number; y: number }[]): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return my;
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return my + slope * (1 - mx);
}

/** Concede as t^(1/e) from 1 toward the larger of the reservation utility and the opponent's
 *  predicted final offer (their offers spread evenly over the time used so far), but never
 *  slower than a Boulware curve toward the reservation (`safetyExponent`): a prediction that
 *  overshoots what the opponent will really give must not cost the agreement. */
export function opponentAwareTarget(exponent: number, safetyExponent = 0.3): TargetFunction {
  return ({ valuation, reservationUtility: r, theirOffers, t }) => {
    const n = theirOffers.length;
    const predicted = predictAtOne(
      theirOffers.map((o, k) => ({ x: (t * (k + 1)) / n, y: valuation.utility(o) })),
    );
    const floor = Math.min(1, Math.max(r, predicted ?? r));
    const aimed = floor + (1 - floor) * (1 - t ** (1 / exponent));
    const safety = r + (1 - r) * (1 - t ** (1 / safetyExponent));
    return Math.min(aimed, safety);
  };
}

export type ModelDrivenParameters = {
  valuation: Valuation;
  rfq: RfqBody;
  /** Concession exponent toward the predicted agreement. Default 1. */
  exponent?: number;
  /** Exponent of the Boulware curve it never concedes slower than. Default 0.3. */
  safetyExponent?: number;
  /** Default AC_combi(T = 0.85, best of their last 3 offers). */
  acceptance?: AcceptanceCondition;
  /** Default the frequency model. */
  opponentModel?: OpponentModel;
  window?: number;
  grid?: GridLevels;
  name?: string;
};

export function createModelDrivenStrategy(p: ModelDrivenParameters): BoaStrategy {
  return createBoaStrategy({
    name: p.name ?? "model-driven",
    valuation: p.valuation,
    rfq: p.rfq,
    target: opponentAwareTarget(p.exponent ?? 1, p.safetyExponent ?? 0.3),
    acceptance: p.acceptance ?? acCombi({ T: 0.85, window: 3 }),
    opponentModel: p.opponentModel ?? createFrequencyModel(),
    ...(p.window === undefined ? {} : { window: p.window }),
    ...(p.grid ? { grid: p.grid } : {}),
  });
}
