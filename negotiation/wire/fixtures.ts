/** Shared test fixtures for the wire protocol (sample domain, keys and bodies). Tests only. */
import { type Address, type Hex, keccak256, toHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { type Agreement, type ArbiterDomain, signAgreement } from "../../core/agreement.ts";
import { createSigner, type Signer } from "../../core/signer.ts";
import { hashBody, hashEnvelope } from "./envelope-hash.ts";
import type { BodyOf, MessageKind, RfqBody, Terms } from "./schemas.ts";

export const testDomain: ArbiterDomain = {
  chainId: 31337,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
};

export const USDC: Address = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
export const WETH: Address = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";

export function newSigner(): Signer {
  return createSigner(generatePrivateKey());
}

export function sessionIdOf(label: string): Hex {
  return keccak256(toHex(`${label}:${Math.random()}`));
}

export const sampleRfq: RfqBody = {
  principalToken: USDC,
  principal: 1_000_000n * 10n ** 6n,
  maxRateBps: 800,
  tenor: 30 * 24 * 3600,
  collateralToken: WETH,
  collateral: 500n * 10n ** 18n,
};

export const sampleTerms: Terms = {
  principal: 1_000_000n * 10n ** 6n,
  rateBps: 650,
  tenor: 30 * 24 * 3600,
  collateralToken: WETH,
  collateral: 450n * 10n ** 18n,
  haircutBps: 1500,
};

export function sampleAgreement(params: { sessionId: Hex; lender: Address; borrower: Address }): Agreement {
  return {
    ...params,
    principalToken: USDC,
    principal: sampleTerms.principal,
    collateralToken: WETH,
    collateral: sampleTerms.collateral,
    rateBps: sampleTerms.rateBps,
    tenor: sampleTerms.tenor,
    nonce: 42n,
    deadline: 1_900_000_000n,
  };
}

/** A valid body of each kind, signed where it carries an agreement signature. */
export function sampleBody<K extends MessageKind>(
  kind: K,
  params: { sessionId: Hex; sender: Signer; peer: Address },
): BodyOf<K> {
  const agreement = sampleAgreement({
    sessionId: params.sessionId,
    lender: params.sender.address,
    borrower: params.peer,
  });
  const bodies: { [k in MessageKind]: BodyOf<k> } = {
    rfq: sampleRfq,
    offer: { terms: sampleTerms, inReplyTo: 0 },
    accept: { agreement, signature: signAgreement(testDomain, agreement, params.sender) },
    confirm: { agreementId: keccak256(toHex("agreement")), signature: `0x${"11".repeat(64)}1b` },
    reject: { reason: "rate too high" },
    commit: { commitment: keccak256(toHex("commitment")) },
    reveal: { terms: sampleTerms, salt: keccak256(toHex("salt")) },
    // Its agreementId must be the envelope's sessionId.
    "margin.call": sampleMarginCall(params.sessionId),
  };
  return bodies[kind];
}

/** A margin call about loan `agreementId`: health 1.03 read, 1.25 wanted, by 1 Jan 2030. */
export function sampleMarginCall(agreementId: Hex): BodyOf<"margin.call"> {
  return {
    agreementId,
    health: 1_030_000_000_000_000_000n,
    targetHealth: 1_250_000_000_000_000_000n,
    amount: 107n * 10n ** 18n,
    collateralToken: WETH,
    deadline: 1_893_456_000n,
  };
}

/** Re-signs an arbitrary (possibly invalid) envelope object with `signer`, for crafting attacks. */
export function signRaw(
  obj: Record<string, unknown>,
  signer: Signer,
  domain: ArbiterDomain = testDomain,
): string {
  const digest = hashEnvelope(domain, {
    v: obj.v as number,
    sessionId: obj.sessionId as Hex,
    seq: obj.seq as number,
    kind: obj.kind as string,
    from: obj.from as Address,
    to: obj.to as Address,
    expiry: obj.expiry as number,
    nonce: obj.nonce as Hex,
    bodyHash: hashBody(obj.body),
  });
  return JSON.stringify({ ...obj, sig: signer.signDigest(digest) });
}
