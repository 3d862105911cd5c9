/**
 * The discretised outcome space of a scenario: every grid combination of the non-rate issues at a
 * ladder of rates, valued by both sides. From it come the Nash bargaining solution (the feasible
 * outcome maximising the product of both sides' gains over their reservation utilities) and the
 * Pareto frontier, against which a session's result is measured.
 */
import { utilityAtRate } from "../strategies/bidding.ts";
import { type GridLevels, nonRateGrid } from "../strategies/issue-space.ts";
import type { Terms } from "../strategies/strategy.ts";
import { rateAtLeastAsGood, type Valuation } from "../strategies/utility.ts";
import type { RfqBody } from "../wire/schemas.ts";

export type UtilityPoint = { lender: number; borrower: number };

export type OutcomeSpace = {
  /** What each side gets without agreement (its reservation utility). */
  disagreement: UtilityPoint;
  /** Outcomes both sides could accept. */
  feasible: number;
  /** Undefined when no outcome is acceptable to both (no zone of agreement). */
  nash: (UtilityPoint & { terms: Terms }) | undefined;
  /** Feasible outcomes no other feasible outcome beats for both sides, by lender utility descending. */
  pareto: UtilityPoint[];
};

export type AnalyseOutcomesParameters = {
  rfq: RfqBody;
  lender: Valuation;
  borrower: Valuation;
  /** Rates per grid point, evenly over the space's rate range (plus both reservation rates).
   *  Default 41. */
  rateLevels?: number;
  grid?: GridLevels;
};

export function analyseOutcomes(p: AnalyseOutcomesParameters): OutcomeSpace {
  const { rfq, lender, borrower } = p;
  const space = lender.space;
  const d = { lender: lender.reservationUtility(rfq), borrower: borrower.reservationUtility(rfq) };
  const resL = lender.reservationRateBps(rfq);
  const resB = borrower.reservationRateBps(rfq);
  const n = Math.max(2, p.rateLevels ?? 41);
  const ladder = Array.from({ length: n }, (_, k) =>
    Math.round(space.rateBps.min + ((space.rateBps.max - space.rateBps.min) * k) / (n - 1)),
  );
  // The reservation rates too: a narrow zone of agreement may fall between two rungs.
  const inRange = (r: number) => r >= space.rateBps.min && r <= space.rateBps.max;
  const rates = [...new Set([...ladder, ...[Math.ceil(resL), Math.floor(resB)].filter(inRange)])];
  const points: (UtilityPoint & { combo: Terms; rate: number })[] = [];
  for (const combo of nonRateGrid(space, p.grid ?? {})) {
    for (const rate of rates) {
      if (!rateAtLeastAsGood("lender", rate, resL) || !rateAtLeastAsGood("borrower", rate, resB)) continue;
      const uL = utilityAtRate(lender, combo, rate);
      const uB = utilityAtRate(borrower, combo, rate);
      if (uL < d.lender || uB < d.borrower) continue;
      points.push({ lender: uL, borrower: uB, combo, rate });
    }
  }
  let nash: OutcomeSpace["nash"];
  let bestProduct = -1;
  for (const x of points) {
    const product = (x.lender - d.lender) * (x.borrower - d.borrower);
    if (product > bestProduct) {
      bestProduct = product;
      nash = { lender: x.lender, borrower: x.borrower, terms: { ...x.combo, rateBps: x.rate } };
    }
  }
  const sorted = [...points].sort((a, b) => b.lender - a.lender || b.borrower - a.borrower);
  const pareto: UtilityPoint[] = [];
  let bestBorrower = Number.NEGATIVE_INFINITY;
  for (const x of sorted) {
    if (x.borrower > bestBorrower) {
      pareto.push({ lender: x.lender, borrower: x.borrower });
      bestBorrower = x.borrower;
    }
  }
  return { disagreement: d, feasible: points.length, nash, pareto };
}

const dist = (a: UtilityPoint, b: UtilityPoint) => Math.hypot(a.lender - b.lender, a.borrower - b.borrower);

/** Distance in utility space from a result to the Nash point (to the disagreement point when
 *  there is no zone of agreement: walking away is then the right answer). */
export function nashDistance(space: OutcomeSpace, result: UtilityPoint): number {
  return dist(result, space.nash ?? space.disagreement);
}

/** Distance from a result to the nearest Pareto-optimal outcome (0 for walking away when
 *  nothing was feasible). */
export function paretoDistance(space: OutcomeSpace, result: UtilityPoint): number {
  if (space.pareto.length === 0) return dist(result, space.disagreement);
  let best = Number.POSITIVE_INFINITY;
  for (const x of space.pareto) best = Math.min(best, dist(result, x));
  return best;
}
