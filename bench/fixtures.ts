/**
 * What every benchmark negotiates: one domain, deterministic keys, a USDC-for-WETH loan and a
 * pair of linear time-dependent strategies whose zones of agreement meet after three offers each
 * (lender 900 -> 500 bps, borrower 300 -> 700 bps), so a negotiation is 9 one-way messages:
 * rfq, 6 offers, accept, confirm.
 */
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import type { Agreement, ArbiterDomain } from "../core/agreement.ts";
import { createSigner, type Signer } from "../core/signer.ts";
import { defaultSessionOptions, type SessionOptions } from "../negotiation/protocols/session-host.ts";
import type { Strategy } from "../negotiation/strategies/strategy.ts";
import { createTimeDependentStrategy } from "../negotiation/strategies/time-dependent.ts";
import type { RfqBody, Terms } from "../negotiation/wire/schemas.ts";

export const benchDomain: ArbiterDomain = {
  chainId: 31337,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
};

export const USDC: Address = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
export const WETH: Address = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

/** A private key derived from a label, so runs are reproducible. */
export function benchKey(label: string): Hex {
  return keccak256(toHex(`bench:${label}`));
}

export function benchSigner(label: string): Signer {
  return createSigner(benchKey(label));
}

/** A distinct principal token per pair, so each pair's RFQs reach exactly one lender. */
export function pairToken(i: number): Address {
  return getAddress(`0x${(0xbe000000 + i).toString(16).padStart(40, "0")}`);
}

export const template: Omit<Terms, "rateBps"> = {
  principal: 1_000_000n * 10n ** 6n,
  tenor: 30 * 24 * 3600,
  collateralToken: WETH,
  collateral: 450n * 10n ** 18n,
  haircutBps: 1500,
};

export function rfqFor(principalToken: Address = USDC): RfqBody {
  return {
    principalToken,
    principal: template.principal,
    maxRateBps: 700,
    tenor: template.tenor,
    collateralToken: WETH,
    collateral: template.collateral,
  };
}

export const lenderStrategy: Strategy = createTimeDependentStrategy({
  side: "lender",
  openingRateBps: 900,
  reservationRateBps: 500,
  exponent: 1,
  template,
});

export const borrowerStrategy: Strategy = createTimeDependentStrategy({
  side: "borrower",
  openingRateBps: 300,
  reservationRateBps: 700,
  exponent: 1,
  template,
});

export const benchSessionOptions: SessionOptions = {
  ...defaultSessionOptions,
  maxRounds: 4,
  deadlineMs: 10_000,
  confirmTimeoutMs: 5_000,
  settlementWindowSec: 600,
};

export const sampleTerms: Terms = { ...template, rateBps: 650 };

export function sampleAgreement(p: { sessionId: Hex; lender: Address; borrower: Address }): Agreement {
  return {
    ...p,
    principalToken: USDC,
    principal: template.principal,
    collateralToken: WETH,
    collateral: template.collateral,
    rateBps: 650,
    tenor: template.tenor,
    nonce: 0x1234567890abcdef1234567890abcdefn,
    deadline: 1_900_000_000n,
  };
}

let sessionCounter = 0;
/** A fresh 32-byte session id (cheap: no keccak, no randomness on the measured path). */
export function nextSessionId(): Hex {
  sessionCounter++;
  return `0x${process.pid.toString(16).padStart(8, "0")}${Date.now().toString(16).padStart(16, "0")}${sessionCounter
    .toString(16)
    .padStart(40, "0")}` as Hex;
}
