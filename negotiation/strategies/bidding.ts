/**
 * Bidding in utility space. A target function says how much utility to ask for now; the bid is
 * then an iso-utility offer: among offers worth about the target to us (every combination of the
 * non-rate issues on a grid, each with the rate that brings it to the target), the one the
 * opponent model likes best. Never beyond our reservation: the rate stays within the reservation
 * rate and the target never drops below the reservation utility.
 */
import { BaseError } from "../../core/errors.ts";
import type { RfqBody } from "../wire/schemas.ts";
import {
  type GridLevels,
  type IssueSpace,
  type IssueVector,
  issueValues,
  nonRateGrid,
  rateValue,
} from "./issue-space.ts";
import type { OpponentEstimate } from "./opponent-model.ts";
import type { SessionView, Terms } from "./strategy.ts";
import type { Valuation } from "./utility.ts";

/** Share of the deadline used: the larger of the rounds share and the wall-time share, in [0, 1]. */
export function progress(view: Pick<SessionView, "round" | "maxRounds" | "elapsed">): number {
  const byRounds = view.maxRounds <= 1 ? 1 : Math.min(1, view.round / (view.maxRounds - 1));
  return Math.min(1, Math.max(byRounds, view.elapsed, 0));
}

export type BidContext = {
  view: SessionView;
  /** progress(view). */
  t: number;
  valuation: Valuation;
  rfq: RfqBody;
  /** The valuation's reservation utility, asked this step. */
  reservationUtility: number;
  /** Offers received so far, oldest first. */
  theirOffers: readonly Terms[];
  opponent: OpponentEstimate;
};

/** The utility to ask for now; clamped by the caller into [reservation utility, 1]. */
export type TargetFunction = (ctx: BidContext) => number;

/** Faratin's time-dependent tactic in utility space: from 1 to the reservation utility as
 *  1 - t^(1/e); e < 1 Boulware, 1 linear, e > 1 conceder. */
export function timeDependentTarget(exponent: number): TargetFunction {
  return ({ t, reservationUtility: r }) => r + (1 - r) * (1 - t ** (1 / exponent));
}

export type RateBounds = { lo: number; hi: number };

/** The rates this side may bid: the space's rate range cut at its reservation rate. If the
 *  reservation lies outside the space, the reservation rate itself. */
export function rateBounds(valuation: Valuation, rfq: RfqBody): RateBounds {
  const r = valuation.space.rateBps;
  const res = valuation.reservationRateBps(rfq);
  const lo = valuation.side === "lender" ? Math.max(r.min, Math.ceil(res)) : r.min;
  const hi = valuation.side === "lender" ? r.max : Math.min(r.max, Math.floor(res));
  return lo <= hi ? { lo, hi } : { lo: res, hi: res };
}

/** Utility of `combo` at a given rate, through the valuation's fast path when it has one. */
export function utilityAtRate(valuation: Valuation, combo: Terms, rateBps: number): number {
  return valuation.utilityAtRate
    ? valuation.utilityAtRate(combo, rateBps)
    : valuation.utility({ ...combo, rateBps });
}

/** The integer rate within `b`, as bad for us as possible, at which `combo` is worth at least
 *  `target` to us (found by bisection: utility rises with the rate in our direction); undefined
 *  if even our best rate falls short. */
export function solveRate(
  valuation: Valuation,
  combo: Terms,
  target: number,
  b: RateBounds,
): number | undefined {
  const lender = valuation.side === "lender";
  const best = lender ? b.hi : b.lo;
  const worst = lender ? b.lo : b.hi;
  const u = (rateBps: number) => utilityAtRate(valuation, combo, rateBps);
  if (u(best) < target) return undefined;
  if (u(worst) >= target) return worst;
  // `good` always meets the target, `bad` never does.
  let good = best;
  let bad = worst;
  while (Math.abs(good - bad) > 1) {
    const mid = Math.round((good + bad) / 2);
    if (u(mid) >= target) good = mid;
    else bad = mid;
  }
  return good;
}

const gridCache = new WeakMap<IssueSpace, Map<string, Terms[]>>();

function gridOf(space: IssueSpace, grid: GridLevels): Terms[] {
  const key = JSON.stringify(grid);
  let bySpace = gridCache.get(space);
  if (!bySpace) {
    bySpace = new Map();
    gridCache.set(space, bySpace);
  }
  let g = bySpace.get(key);
  if (!g) {
    g = nonRateGrid(space, grid);
    bySpace.set(key, g);
  }
  return g;
}

export type IsoUtilityBidParameters = {
  valuation: Valuation;
  rfq: RfqBody;
  /** Utility to aim for (the bid is worth at least this to us). */
  target: number;
  opponent: OpponentEstimate;
  /** Bids worth up to target + window count as "at the target". Default 0.02. */
  window?: number;
  /** Bids above this utility are avoided when others exist (e.g. our last bid's, so that
   *  successive bids never ask for more). */
  ceiling?: number;
  grid?: GridLevels;
};

export type Bid = { terms: Terms; utility: number; opponentUtility: number };

/** The iso-utility bid: worth at least `target` to us, best for the opponent model among bids
 *  near the target. If nothing reaches the target, our best bid. */
export function isoUtilityBid(p: IsoUtilityBidParameters): Bid {
  const { valuation, rfq, opponent } = p;
  const space = valuation.space;
  const bounds = rateBounds(valuation, rfq);
  const upper = Math.max(p.target, Math.min(p.target + (p.window ?? 0.02), p.ceiling ?? 1));
  let inWindow: Bid | undefined;
  let closest: Bid | undefined;
  let best: Bid | undefined;
  for (const combo of gridOf(space, p.grid ?? {})) {
    const rate = solveRate(valuation, combo, p.target, bounds);
    if (rate === undefined) {
      // Only needed when nothing reaches the target: remember our best offer.
      if (!inWindow && !closest) {
        const r = valuation.side === "lender" ? bounds.hi : bounds.lo;
        const u = utilityAtRate(valuation, combo, r);
        if (!best || u > best.utility)
          best = { terms: { ...combo, rateBps: r }, utility: u, opponentUtility: 0 };
      }
      continue;
    }
    const terms = { ...combo, rateBps: rate };
    const utility = utilityAtRate(valuation, combo, rate);
    const values: IssueVector = { ...issueValues(space, combo), rate: rateValue(space, rate) };
    const bid = { terms, utility, opponentUtility: opponent.utilityOf(values) };
    if (utility <= upper + 1e-12) {
      if (
        !inWindow ||
        bid.opponentUtility > inWindow.opponentUtility + 1e-12 ||
        (Math.abs(bid.opponentUtility - inWindow.opponentUtility) <= 1e-12 && bid.utility > inWindow.utility)
      )
        inWindow = bid;
    } else if (!closest || bid.utility < closest.utility) {
      closest = bid;
    }
  }
  const chosen = inWindow ?? closest ?? best;
  if (!chosen)
    throw new BaseError("The issue grid is empty.", { metaMessages: ["Give every grid level >= 1."] });
  return chosen;
}
