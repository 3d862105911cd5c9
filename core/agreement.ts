/**
 * The one EIP-712 domain and Agreement type of the project. The contract (contracts/
 * LiquidityArbiter.sol) declares the same type string; a parity test proves both hashes match.
 */
import { type Address, type Hex, hashTypedData, keccak256, stringToBytes, type TypedDataDomain } from "viem";
import { z } from "zod";
import { eip712Digest, writeBigUintWord, writeHexWord, writeUintWord } from "./eip712-words.ts";
import { BaseError } from "./errors.ts";
import { address, bytes32, smallUint, toJson, uint } from "./schema.ts";
import { recoverDigest, type Signer } from "./signer.ts";

export const DOMAIN_NAME = "LiquidityArbiter";
export const DOMAIN_VERSION = "1";

export type ArbiterDomain = { chainId: number; verifyingContract: Address };

export function eip712Domain(d: ArbiterDomain): TypedDataDomain {
  return {
    name: DOMAIN_NAME,
    version: DOMAIN_VERSION,
    chainId: d.chainId,
    verifyingContract: d.verifyingContract,
  };
}

export const agreementTypes = {
  Agreement: [
    { name: "sessionId", type: "bytes32" },
    { name: "lender", type: "address" },
    { name: "borrower", type: "address" },
    { name: "principalToken", type: "address" },
    { name: "principal", type: "uint256" },
    { name: "collateralToken", type: "address" },
    { name: "collateral", type: "uint256" },
    { name: "rateBps", type: "uint32" },
    { name: "tenor", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
    { name: "callRiskLevel", type: "uint8" },
  ],
} as const;

/** The type string, as the contract's AGREEMENT_TYPEHASH spells it. */
export const AGREEMENT_TYPE =
  "Agreement(bytes32 sessionId,address lender,address borrower,address principalToken,uint256 principal,address collateralToken,uint256 collateral,uint32 rateBps,uint32 tenor,uint256 nonce,uint64 deadline,uint8 callRiskLevel)";

/** A loan both parties sign: `principal` of `principalToken` from lender to borrower, against
 *  `collateral` of `collateralToken` held in escrow, at simple annual `rateBps` for `tenor` seconds.
 *  It must be settled before `deadline` (unix seconds); `nonce` is unique per party.
 *  `callRiskLevel` (uint8, absent = 0 = never): the lender may call the loan early while the on-chain
 *  system risk level is at least this (see docs/ARBITRATION.md). Absent and 0 sign the same. */
export type Agreement = {
  sessionId: Hex;
  lender: Address;
  borrower: Address;
  principalToken: Address;
  principal: bigint;
  collateralToken: Address;
  collateral: bigint;
  rateBps: number;
  tenor: number;
  nonce: bigint;
  deadline: bigint;
  callRiskLevel?: number | undefined;
};

/** Wire/JSON form of an Agreement (bigints as decimal strings), validated on arrival. */
export const AgreementSchema = z.strictObject({
  sessionId: bytes32,
  lender: address,
  borrower: address,
  principalToken: address,
  principal: uint(256),
  collateralToken: address,
  collateral: uint(256),
  rateBps: smallUint(0xffffffff),
  tenor: smallUint(0xffffffff),
  nonce: uint(256),
  deadline: uint(64),
  callRiskLevel: smallUint(0xff).optional(),
});

export function agreementToJson(a: Agreement): unknown {
  return JSON.parse(toJson(a));
}

const AGREEMENT_TYPEHASH = keccak256(stringToBytes(AGREEMENT_TYPE), "bytes");

// One encoding buffer, every word of it rewritten by each (synchronous) call; the zero padding
// of address and small-uint words is never written. Saves an allocation and zero-fill per hash.
const structBuf = Buffer.alloc(32 * 13);
const structView = new DataView(structBuf.buffer, structBuf.byteOffset, structBuf.byteLength);
structBuf.set(AGREEMENT_TYPEHASH, 0);

/** The EIP-712 digest of an agreement, which is also its id on the contract. Hand-rolled (all
 *  fields are static words) because it sits on every accept and confirm; equal to viem's
 *  hashTypedData, which `hashAgreementWithViem` keeps for the tests that prove it. */
export function hashAgreement(domain: ArbiterDomain, a: Agreement): Hex {
  const buf = structBuf;
  const view = structView;
  writeHexWord(buf, 32, a.sessionId, 32);
  writeHexWord(buf, 64, a.lender, 20);
  writeHexWord(buf, 96, a.borrower, 20);
  writeHexWord(buf, 128, a.principalToken, 20);
  writeBigUintWord(view, 160, a.principal, 256);
  writeHexWord(buf, 192, a.collateralToken, 20);
  writeBigUintWord(view, 224, a.collateral, 256);
  writeUintWord(view, 256, a.rateBps, 0xffffffff);
  writeUintWord(view, 288, a.tenor, 0xffffffff);
  writeBigUintWord(view, 320, a.nonce, 256);
  writeBigUintWord(view, 352, a.deadline, 64);
  writeUintWord(view, 384, a.callRiskLevel ?? 0, 0xff);
  return eip712Digest(domain, buf);
}

export function hashAgreementWithViem(domain: ArbiterDomain, agreement: Agreement): Hex {
  return hashTypedData({
    domain: eip712Domain(domain),
    types: agreementTypes,
    primaryType: "Agreement",
    message: { ...agreement, callRiskLevel: agreement.callRiskLevel ?? 0 },
  });
}

export function signAgreement(domain: ArbiterDomain, agreement: Agreement, signer: Signer): Hex {
  return signer.signDigest(hashAgreement(domain, agreement));
}

export class AgreementSignatureError extends BaseError {
  override name = "AgreementSignatureError";
  override readonly code = "BadAgreementSignature";
  constructor(params: { expected: Address; recovered: Address | undefined; role: "lender" | "borrower" }) {
    super(`Agreement signature is not the ${params.role}'s.`, {
      metaMessages: [`Expected ${params.expected}, recovered ${params.recovered ?? "nothing"}.`],
    });
  }
}

/** Throws AgreementSignatureError unless `signature` is `party`'s signature over the agreement. */
export function verifyAgreementSignature(
  domain: ArbiterDomain,
  agreement: Agreement,
  signature: Hex,
  role: "lender" | "borrower",
): void {
  verifyAgreementDigest(hashAgreement(domain, agreement), agreement, signature, role);
}

/** verifyAgreementSignature with the agreement's digest (hashAgreement) already at hand. */
export function verifyAgreementDigest(
  digest: Hex,
  agreement: Agreement,
  signature: Hex,
  role: "lender" | "borrower",
): void {
  const expected = agreement[role];
  let recovered: Address | undefined;
  try {
    recovered = recoverDigest(digest, signature, expected);
  } catch {
    recovered = undefined;
  }
  if (recovered?.toLowerCase() !== expected.toLowerCase()) {
    throw new AgreementSignatureError({ expected, recovered, role });
  }
}

export const YEAR_SECONDS = 365n * 24n * 3600n;
export const BPS = 10_000n;

/** What the borrower owes at repayment: principal plus simple interest, rounded up in the
 *  lender's favour. The contract computes exactly this at settlement. */
export function amountDue(a: Pick<Agreement, "principal" | "rateBps" | "tenor">): bigint {
  const denom = BPS * YEAR_SECONDS;
  const interest = (a.principal * BigInt(a.rateBps) * BigInt(a.tenor) + denom - 1n) / denom;
  return a.principal + interest;
}
