/**
 * Collateral arithmetic at the one boundary where prices meet amounts: USD 8-decimal oracle
 * prices and token decimals, all bigint, rounded in the lender's favour.
 */
import type { Address } from "viem";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** Collateral (base units) whose haircut value covers `principal` (base units). */
export function requiredCollateral(p: {
  principal: bigint;
  principalDecimals: number;
  principalUsd8: bigint;
  collateralDecimals: number;
  collateralUsd8: bigint;
  haircutBps: number;
}): bigint {
  const num = p.principal * p.principalUsd8 * 10n ** BigInt(p.collateralDecimals) * 10_000n;
  const den = p.collateralUsd8 * 10n ** BigInt(p.principalDecimals) * BigInt(10_000 - p.haircutBps);
  return ceilDiv(num, den);
}

export function priceOf(state: ProtocolState, token: Address): bigint | undefined {
  return state.prices.find((x) => x.token.toLowerCase() === token.toLowerCase())?.usd8;
}
