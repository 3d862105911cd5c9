/**
 * Seeded negotiation scenarios: an RFQ, the issue space both sides derive from it, each side's
 * preferences (issue weights), reservation values (rate and utility) and the deadline in rounds
 * and wall time. Same seed, same scenarios.
 */
import type { Address } from "viem";
import { ISSUES, type IssueSpace, type IssueVector, issueSpaceFromRfq } from "../strategies/issue-space.ts";
import type { Side } from "../strategies/strategy.ts";
import { createLinearValuation, type LinearValuation } from "../strategies/utility.ts";
import type { RfqBody } from "../wire/schemas.ts";
import { createRng, type Rng } from "./prng.ts";

export const USDC: Address = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
export const WETH: Address = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

export type SidePreferences = {
  weights: IssueVector;
  reservationRateBps: number;
  reservationUtility: number;
};

export type Scenario = {
  id: number;
  rfq: RfqBody;
  space: IssueSpace;
  lender: SidePreferences;
  borrower: SidePreferences;
  /** Offers each side may make. */
  maxRounds: number;
  /** Wall-time budget, ms of simulated time. */
  deadlineMs: number;
  /** The collateral's (WETH) price the scenario drew, USD: what a lender marks it at. */
  collateralPriceUsd: number;
};

export type GenerateScenariosParameters = {
  count: number;
  seed: number;
  /** Most offers per side; each scenario draws its own limit in [ceil(rounds / 2), rounds]. */
  rounds: number;
  /** Simulated one-way message latency, ms: wall-time deadlines are drawn around
   *  2 · maxRounds · latency so that some sessions end on time rather than on rounds. */
  latencyMs: number;
};

function weights(rng: Rng): IssueVector {
  // Dirichlet(1)-like, floored so no issue is entirely ignored.
  const w = {} as IssueVector;
  for (const i of ISSUES) w[i] = -Math.log(1 - rng.next()) + 0.05;
  const sum = ISSUES.reduce((s, i) => s + w[i], 0);
  for (const i of ISSUES) w[i] /= sum;
  return w;
}

export function generateScenarios(p: GenerateScenariosParameters): Scenario[] {
  const rng = createRng(p.seed);
  return Array.from({ length: p.count }, (_, id) => {
    const principal = BigInt(Math.round(10 ** rng.uniform(5, 7))) * 10n ** 6n;
    const maxRateBps = rng.int(400, 2000);
    const wethUsd = rng.int(1500, 4500);
    // Enough WETH to cover the principal 1.5 times at a 30 % haircut (USDC 6 decimals, WETH 18).
    const collateral = (principal * 10n ** 12n * 15n * 10n) / (BigInt(wethUsd) * 10n * 7n);
    const rfq: RfqBody = {
      principalToken: USDC,
      principal,
      maxRateBps,
      tenor: rng.pick([7, 14, 30, 90]) * 86_400,
      collateralToken: WETH,
      collateral,
    };
    const maxRounds = rng.int(Math.max(2, Math.ceil(p.rounds / 2)), Math.max(2, p.rounds));
    return {
      id,
      rfq,
      space: issueSpaceFromRfq(rfq),
      lender: {
        weights: weights(rng),
        reservationRateBps: Math.round(maxRateBps * rng.uniform(0.1, 0.7)),
        reservationUtility: rng.uniform(0, 0.25),
      },
      borrower: {
        weights: weights(rng),
        reservationRateBps: Math.round(maxRateBps * rng.uniform(0.3, 1)),
        reservationUtility: rng.uniform(0, 0.25),
      },
      maxRounds,
      deadlineMs: Math.round(2 * maxRounds * p.latencyMs * rng.uniform(0.6, 1.4)),
      collateralPriceUsd: wethUsd,
    };
  });
}

/** The scenario's true valuation for one side. */
export function valuationOf(s: Scenario, side: Side): LinearValuation {
  const prefs = s[side];
  return createLinearValuation({
    side,
    space: s.space,
    weights: prefs.weights,
    reservationRateBps: prefs.reservationRateBps,
    reservationUtility: prefs.reservationUtility,
  });
}
