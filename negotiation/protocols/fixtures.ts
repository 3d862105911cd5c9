/**
 * What the protocol tests negotiate (test-only, like ../wire/fixtures.ts): a USDC loan against
 * WETH, the RFQ for it, and the linear borrower most of them run against their lenders.
 */
import { bytesToHex, type Hex } from "viem";
import type { Strategy, Terms } from "../strategies/strategy.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { USDC, WETH } from "../wire/fixtures.ts";
import type { RfqBody } from "../wire/schemas.ts";

export const loanTemplate: Omit<Terms, "rateBps"> = {
  principal: 1_000_000n,
  tenor: 86_400,
  collateralToken: WETH,
  collateral: 700n,
  haircutBps: 2000,
};

export const loanRfq: RfqBody = {
  principalToken: USDC,
  principal: 1_000_000n,
  maxRateBps: 900,
  tenor: 86_400,
  collateralToken: WETH,
  collateral: 700n,
};

/** A borrower conceding linearly from 300 to 800 bps over its rounds, on `template`'s terms. */
export function linearBorrower(template: Omit<Terms, "rateBps"> = loanTemplate): Strategy {
  return createTimeDependentStrategy({
    side: "borrower",
    openingRateBps: 300,
    reservationRateBps: 800,
    exponent: 1,
    template,
  });
}

export const randomSessionId = (): Hex => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
