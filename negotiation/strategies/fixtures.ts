/** Shared fixtures for strategy tests: one RFQ, its issue space, and valuations for both sides. */
import type { RfqBody } from "../wire/schemas.ts";
import { type IssueVector, issueSpaceFromRfq } from "./issue-space.ts";
import type { SessionView, Side, Terms } from "./strategy.ts";
import { createLinearValuation, type LinearValuation } from "./utility.ts";

export const USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" as const;
export const WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2" as const;

export const rfq: RfqBody = {
  principalToken: USDC,
  principal: 1_000_000n * 10n ** 6n,
  maxRateBps: 1000,
  tenor: 30 * 86_400,
  collateralToken: WETH,
  collateral: 600n * 10n ** 18n,
};

export const space = issueSpaceFromRfq(rfq);

export function valuation(
  side: Side,
  p: { weights?: Partial<IssueVector>; reservationRateBps?: number; reservationUtility?: number } = {},
): LinearValuation {
  return createLinearValuation({
    side,
    space,
    weights: p.weights ?? { principal: 0.1, rate: 0.5, tenor: 0.1, collateral: 0.2, haircut: 0.1 },
    reservationRateBps: p.reservationRateBps ?? (side === "lender" ? 400 : 700),
    reservationUtility: p.reservationUtility ?? 0,
  });
}

export function view(side: Side, round: number, p: Partial<SessionView> = {}): SessionView {
  return { side, round, maxRounds: 10, elapsed: 0, myLast: undefined, theirLast: undefined, ...p };
}

export const terms = (p: Partial<Terms> = {}): Terms => ({
  principal: rfq.principal,
  rateBps: 500,
  tenor: rfq.tenor,
  collateralToken: WETH,
  collateral: 400n * 10n ** 18n,
  haircutBps: 2000,
  ...p,
});
