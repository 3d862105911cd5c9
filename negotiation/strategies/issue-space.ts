/**
 * The issue space of one loan negotiation: the range each issue may take (amount, rate, tenor,
 * collateral relative to what the haircut requires, haircut) and the maps between wire `Terms`
 * and normalised issue values in [0, 1]. Both sides can build the same space from the RFQ, so
 * utilities, opponent models and the tournament's outcome grid all speak one coordinate system.
 */

import type { Address } from "viem";
import type { RfqBody, Terms } from "../wire/schemas.ts";
import { isMargined } from "./margin-terms.ts";

export const ISSUES = ["principal", "rate", "tenor", "collateral", "haircut"] as const;
export type Issue = (typeof ISSUES)[number];

/** One number per issue. As issue values: 0 is the bottom of the issue's range, 1 the top. */
export type IssueVector = Record<Issue, number>;

export type Range = { min: number; max: number };

export type IssueSpace = {
  collateralToken: Address;
  /** Amount lent, base units. */
  principal: { min: bigint; max: bigint };
  rateBps: Range;
  /** Seconds. */
  tenor: Range;
  /** Collateral divided by the collateral the offered haircut requires (1 = exactly covered). */
  collateralRatio: Range;
  haircutBps: Range;
  /** `collateral` base units are worth exactly `principal` base units (the price ratio, no haircut). */
  coverage: { principal: bigint; collateral: bigint };
  /** The early-call levels (the Agreement's `callRiskLevel`: 0 never callable, k > 0 callable
   *  while the on-chain system risk level is at least k) this side agrees to, the one it proposes
   *  first. A policy term, not a traded one: terms outside the list are out of the space (never
   *  accepted), terms inside it cost nothing in utility. Default [0]: never callable. */
  callRiskLevels: readonly number[];
};

const BPS = 10_000n;
/** Fixed-point scale for ratios and shares turned into bigint arithmetic. */
const SCALE = 1_000_000n;

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Collateral whose haircut value covers `principal` exactly (rounded up). */
export function requiredCollateral(space: IssueSpace, principal: bigint, haircutBps: number): bigint {
  const den = space.coverage.principal * (BPS - BigInt(Math.min(9_999, Math.max(0, haircutBps))));
  return ceilDiv(space.coverage.collateral * principal * BPS, den);
}

/** How many times the offered collateral covers what the offered haircut requires. */
export function collateralRatio(space: IssueSpace, terms: Terms): number {
  const required = requiredCollateral(space, terms.principal, terms.haircutBps);
  if (required === 0n) return space.collateralRatio.max;
  return Number((terms.collateral * SCALE) / required) / Number(SCALE);
}

const position = (x: number, r: Range) => (r.max === r.min ? 1 : clamp01((x - r.min) / (r.max - r.min)));

// Terms are immutable values, and strategies ask about the same offers at every step.
const valuesCache = new WeakMap<Terms, { space: IssueSpace; values: IssueVector }>();

/** Normalised issue values of `terms` (clamped into [0, 1]; a degenerate range reads as 1). */
export function issueValues(space: IssueSpace, terms: Terms): IssueVector {
  const hit = valuesCache.get(terms);
  if (hit?.space === space) return hit.values;
  const values = computeIssueValues(space, terms);
  valuesCache.set(terms, { space, values });
  return values;
}

function computeIssueValues(space: IssueSpace, terms: Terms): IssueVector {
  const p = space.principal;
  return {
    principal:
      p.max === p.min
        ? 1
        : clamp01(Number(((terms.principal - p.min) * SCALE) / (p.max - p.min)) / Number(SCALE)),
    rate: position(terms.rateBps, space.rateBps),
    tenor: position(terms.tenor, space.tenor),
    collateral: position(collateralRatio(space, terms), space.collateralRatio),
    haircut: position(terms.haircutBps, space.haircutBps),
  };
}

/** The normalised value of a rate alone (what `issueValues(...).rate` would be). */
export function rateValue(space: IssueSpace, rateBps: number): number {
  return position(rateBps, space.rateBps);
}

const at = (r: Range, v: number) => r.min + (r.max - r.min) * clamp01(v);

/** The call level a side proposes: the first it agrees to (absent from the Terms when 0). */
export const proposedCallRiskLevel = (space: Pick<IssueSpace, "callRiskLevels">): number =>
  space.callRiskLevels[0] ?? 0;

/** True if `terms` carry a call level this side agrees to (absent counts as 0). */
export const callRiskLevelAgreed = (levels: readonly number[], terms: Terms): boolean =>
  levels.includes(terms.callRiskLevel ?? 0);

/** The terms at normalised values `v` (rate and tenor rounded to integers, collateral rounded up),
 *  with the space's proposed call level. */
export function termsAt(space: IssueSpace, v: IssueVector): Terms {
  const p = space.principal;
  const principal = p.min + ((p.max - p.min) * BigInt(Math.round(clamp01(v.principal) * 1e6))) / SCALE;
  const haircutBps = Math.round(at(space.haircutBps, v.haircut));
  const ratio = BigInt(Math.round(at(space.collateralRatio, v.collateral) * 1e6));
  const callRiskLevel = proposedCallRiskLevel(space);
  return {
    principal,
    rateBps: Math.round(at(space.rateBps, v.rate)),
    tenor: Math.round(at(space.tenor, v.tenor)),
    collateralToken: space.collateralToken,
    collateral: ceilDiv(requiredCollateral(space, principal, haircutBps) * ratio, SCALE),
    haircutBps,
    ...(callRiskLevel === 0 ? {} : { callRiskLevel }),
  };
}

/** Ratios are compared with this slack: collateral is rounded up to whole base units. */
const RATIO_SLACK = 1e-4;

/** True if every issue of `terms` lies in the space (the collateral token is the one asked, the
 *  call level one this side agrees to, and no margin). */
export function inSpace(space: IssueSpace, terms: Terms): boolean {
  const within = (x: number, r: Range) => x >= r.min && x <= r.max;
  const ratio = collateralRatio(space, terms);
  return (
    terms.collateralToken.toLowerCase() === space.collateralToken.toLowerCase() &&
    terms.principal >= space.principal.min &&
    terms.principal <= space.principal.max &&
    within(terms.rateBps, space.rateBps) &&
    within(terms.tenor, space.tenor) &&
    within(terms.haircutBps, space.haircutBps) &&
    ratio >= space.collateralRatio.min - RATIO_SLACK &&
    ratio <= space.collateralRatio.max + RATIO_SLACK &&
    callRiskLevelAgreed(space.callRiskLevels, terms) &&
    // These strategies propose no margin and agree to none (a margin is a policy term: see
    // time-dependent.ts and margin-terms.ts).
    !isMargined(terms)
  );
}

export type IssueSpaceFromRfqParameters = {
  /** Smallest share of the asked principal still worth lending, in (0, 1]. Default 0.5. */
  minPrincipalShare?: number;
  /** Shortest share of the asked tenor on the table, in (0, 1]. Default 0.25. */
  minTenorShare?: number;
  /** Lowest rate on the table, bps. Default 0 (the RFQ's `maxRateBps` is the top). */
  minRateBps?: number;
  haircutBps?: Range;
  collateralRatio?: Range;
  /** The price ratio; default: the RFQ's collateral covers its principal at the top haircut
   *  and the top ratio, so no term in the space asks for more collateral than the RFQ offers. */
  coverage?: { principal: bigint; collateral: bigint };
  /** The call levels this side agrees to, the proposed one first. Default [0] (never callable). */
  callRiskLevels?: readonly number[];
};

/** The space both sides derive from an RFQ; agents with prices should pass `coverage`. */
export function issueSpaceFromRfq(rfq: RfqBody, p: IssueSpaceFromRfqParameters = {}): IssueSpace {
  const haircutBps = p.haircutBps ?? { min: 1000, max: 3000 };
  const ratio = p.collateralRatio ?? { min: 1, max: 1.5 };
  const share = (x: bigint, s: number) => (x * BigInt(Math.round(s * 1e6))) / SCALE;
  const coverage = p.coverage ?? {
    principal: rfq.principal,
    collateral:
      (rfq.collateral * (BPS - BigInt(haircutBps.max)) * SCALE) / (BPS * BigInt(Math.round(ratio.max * 1e6))),
  };
  const minPrincipal = share(rfq.principal, p.minPrincipalShare ?? 0.5);
  return {
    collateralToken: rfq.collateralToken,
    principal: { min: minPrincipal > 0n ? minPrincipal : 1n, max: rfq.principal },
    rateBps: { min: p.minRateBps ?? 0, max: rfq.maxRateBps },
    tenor: { min: Math.round(rfq.tenor * (p.minTenorShare ?? 0.25)), max: rfq.tenor },
    collateralRatio: ratio,
    haircutBps,
    coverage: coverage.collateral > 0n ? coverage : { principal: rfq.principal, collateral: 1n },
    callRiskLevels: p.callRiskLevels ?? [0],
  };
}

/** Levels of each non-rate issue used to enumerate offers: `n` points evenly over [0, 1]. */
export type GridLevels = Partial<Record<Exclude<Issue, "rate">, number>>;

const levels = (n: number) => (n <= 1 ? [1] : Array.from({ length: n }, (_, i) => i / (n - 1)));

/** Every combination of the non-rate issues at `grid` levels (default 3 each), rate at 0. */
export function nonRateGrid(space: IssueSpace, grid: GridLevels = {}): Terms[] {
  const out: Terms[] = [];
  for (const principal of levels(grid.principal ?? 3))
    for (const tenor of levels(grid.tenor ?? 3))
      for (const collateral of levels(grid.collateral ?? 3))
        for (const haircut of levels(grid.haircut ?? 3))
          out.push(termsAt(space, { principal, rate: 0, tenor, collateral, haircut }));
  return out;
}
