/**
 * What the model-driven policy tests price (test-only): a USDC lender with $10M to spare, the
 * WETH price it sees at a given hour, and the tokens' decimals.
 */
import type { Address } from "viem";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";

export const USDC = "0x00000000000000000000000000000000000000a1" as Address;
export const WETH = "0x00000000000000000000000000000000000000b2" as Address;
export const decimals = (t: Address) => (t === USDC ? 6 : 18);

/** A week's $2M USDC loan against 1,500 ETH, at any rate the lender asks. */
export const weekRfq: RfqBody = {
  principalToken: USDC,
  principal: 2_000_000n * 10n ** 6n,
  maxRateBps: 1_000_000,
  tenor: 7 * 24 * 3600,
  collateralToken: WETH,
  collateral: 1500n * 10n ** 18n,
};

/** The lender's snapshot at `hour`, with ETH at `ethUsd`. */
export function lenderState(hour: number, ethUsd: number): ProtocolState {
  return {
    v: 0,
    protocolId: "lender",
    kind: "lending",
    timestamp: 1_700_000_000 + hour * 3600,
    liquidity: [
      {
        token: USDC,
        symbol: "USDC",
        decimals: 6,
        liquid: 50_000_000n * 10n ** 6n,
        net: 40_000_000n * 10n ** 6n,
      },
    ],
    pledgeable: [],
    prices: [
      { token: USDC, usd8: 100_000_000n },
      { token: WETH, usd8: BigInt(Math.round(ethUsd * 1e8)) },
    ],
    opportunityRateBps: 300,
    shortfallCostBps: 2000,
    risk: {},
  };
}
