/**
 * Multi-issue utility. A side's valuation of loan terms sits behind the `Valuation` interface,
 * which is where a learned model plugs in: utility of terms, and reservation values asked for
 * afresh at every step (they move as the protocol's state moves). `createLinearValuation` is the
 * standard one: linear additive over the issues, each issue's value normalised to [0, 1] over the
 * issue space and turned the way this side prefers it, weighted per side.
 */
import type { RfqBody } from "../wire/schemas.ts";
import {
  ISSUES,
  type Issue,
  type IssueSpace,
  type IssueVector,
  inSpace,
  issueValues,
  rateValue,
} from "./issue-space.ts";
import type { Side, Terms } from "./strategy.ts";

export interface Valuation {
  readonly side: Side;
  readonly space: IssueSpace;
  /** Utility of `terms` to this side, in [0, 1] (1: its ideal corner of the space). Must not
   *  decrease as the rate moves this side's way (bids are found by searching the rate). */
  utility(terms: Terms): number;
  /** The worst rate this side takes right now: a lender's floor, a borrower's ceiling, bps. */
  reservationRateBps(rfq: RfqBody): number;
  /** The least utility worth agreeing to right now (the value of walking away), in [0, 1]. */
  reservationUtility(rfq: RfqBody): number;
  /** Optional fast path: the utility of `terms` with the rate replaced by `rateBps`, without
   *  building new Terms (bids search the rate for every grid point at every step). */
  utilityAtRate?(terms: Terms, rateBps: number): number;
}

/** Which way each side likes each issue: lenders want less exposure, for less time, better
 *  covered, at a higher rate; borrowers the opposite. */
export function defaultPrefersHigh(side: Side): Record<Issue, boolean> {
  const lender = side === "lender";
  return { principal: !lender, rate: lender, tenor: !lender, collateral: lender, haircut: lender };
}

/** Weights scaled to sum to 1 (negative weights count as 0; all-zero becomes uniform). */
export function normaliseWeights(w: Partial<IssueVector>): IssueVector {
  const raw = ISSUES.map((i) => Math.max(0, w[i] ?? 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  const out = {} as IssueVector;
  ISSUES.forEach((i, k) => {
    out[i] = sum > 0 ? raw[k]! / sum : 1 / ISSUES.length;
  });
  return out;
}

/** Linear additive utility of normalised issue values. */
export function linearUtility(
  values: IssueVector,
  weights: IssueVector,
  prefersHigh: Record<Issue, boolean>,
): number {
  let u = 0;
  for (const i of ISSUES) u += weights[i] * (prefersHigh[i] ? values[i] : 1 - values[i]);
  return u;
}

export type CreateLinearValuationParameters = {
  side: Side;
  space: IssueSpace;
  /** Issue weights (any positive scale; normalised to sum 1). */
  weights: Partial<IssueVector>;
  prefersHigh?: Partial<Record<Issue, boolean>>;
  /** A fixed number, or a function asked at every step (a model's current estimate). */
  reservationRateBps: number | ((rfq: RfqBody) => number);
  reservationUtility?: number | ((rfq: RfqBody) => number);
};

export type LinearValuation = Valuation & {
  readonly weights: IssueVector;
  readonly prefersHigh: Record<Issue, boolean>;
  /** Utility from normalised values (no Terms needed). */
  utilityOf(values: IssueVector): number;
};

export function createLinearValuation(p: CreateLinearValuationParameters): LinearValuation {
  const weights = normaliseWeights(p.weights);
  const prefersHigh = { ...defaultPrefersHigh(p.side), ...p.prefersHigh };
  const space = p.space;
  const utilityOf = (v: IssueVector) => linearUtility(v, weights, prefersHigh);
  // The non-rate part of a utility, cached per Terms object: bidding asks for the same grid
  // points at every step with only the rate changing.
  const rest = new WeakMap<Terms, number>();
  const nonRate = (terms: Terms) => {
    let r = rest.get(terms);
    if (r === undefined) {
      r = utilityOf({ ...issueValues(space, terms), rate: prefersHigh.rate ? 0 : 1 });
      rest.set(terms, r);
    }
    return r;
  };
  const resRate = p.reservationRateBps;
  const resUtil = p.reservationUtility ?? 0;
  return {
    side: p.side,
    space,
    weights,
    prefersHigh,
    utilityOf,
    utility: (terms) => nonRate(terms) + weights.rate * oriented(rateValue(space, terms.rateBps)),
    reservationRateBps: (rfq) => (typeof resRate === "function" ? resRate(rfq) : resRate),
    reservationUtility: (rfq) => (typeof resUtil === "function" ? resUtil(rfq) : resUtil),
    utilityAtRate: (terms, rateBps) => nonRate(terms) + weights.rate * oriented(rateValue(space, rateBps)),
  };

  function oriented(v: number) {
    return prefersHigh.rate ? v : 1 - v;
  }
}

/** True if `side` likes rate `a` at least as much as rate `b`. */
export function rateAtLeastAsGood(side: Side, a: number, b: number): boolean {
  return side === "lender" ? a >= b : a <= b;
}

/** The hard floor every strategy keeps: terms inside the space, the rate within this side's
 *  reservation rate, and utility at least its reservation utility. */
export function withinReservation(valuation: Valuation, rfq: RfqBody, terms: Terms): boolean {
  return (
    inSpace(valuation.space, terms) &&
    rateAtLeastAsGood(valuation.side, terms.rateBps, valuation.reservationRateBps(rfq)) &&
    valuation.utility(terms) >= valuation.reservationUtility(rfq)
  );
}
