/**
 * The EIP-712 types arbiters and agents sign besides the Agreement (core/agreement.ts): a Ruling
 * on a dispute and a RiskAlert. Same domain as the Agreement; the contract declares the same type
 * strings (RULING_TYPEHASH, RISK_ALERT_TYPEHASH) and test/arbitration-parity.test.ts proves the
 * digests match.
 */
import { type Address, getAddress, type Hex, hashTypedData, keccak256, stringToBytes } from "viem";
import { type ArbiterDomain, eip712Domain } from "../core/agreement.ts";
import { eip712Digest, writeBigUintWord, writeHexWord, writeUintWord } from "../core/eip712-words.ts";
import type { Signer } from "../core/signer.ts";
import { type Party, partyIndex } from "./types.ts";

export const rulingTypes = {
  Ruling: [
    { name: "loanId", type: "bytes32" },
    { name: "round", type: "uint32" },
    { name: "winner", type: "uint8" },
    { name: "closeLoan", type: "bool" },
  ],
} as const;

export const riskAlertTypes = {
  RiskAlert: [
    { name: "level", type: "uint8" },
    { name: "evidenceHash", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
  ],
} as const;

/** Arbiters decide dispute `round` of loan `loanId`: `winner` gets the bonds and, if `closeLoan`,
 *  the remaining collateral; winner "None" dismisses the dispute. */
export type Ruling = { loanId: Hex; round: number; winner: Party; closeLoan: boolean };

/** Registered agents set the system risk level to `level` from `issuedAt` until `expiresAt`
 *  (unix seconds); `evidenceHash` points at what they saw. */
export type RiskAlert = { level: number; evidenceHash: Hex; issuedAt: bigint; expiresAt: bigint };

/** A signature next to its signer, as rule() and raiseAlert() take them. */
export type SignerSignature = { signer: Address; signature: Hex };

export function hashRuling(domain: ArbiterDomain, r: Ruling): Hex {
  return hashTypedData({
    domain: eip712Domain(domain),
    types: rulingTypes,
    primaryType: "Ruling",
    message: { loanId: r.loanId, round: r.round, winner: partyIndex(r.winner), closeLoan: r.closeLoan },
  });
}

/** RiskAlert's type hash, for the hand-rolled encoder below. */
const RISK_ALERT_TYPE_HASH = Buffer.from(
  keccak256(
    stringToBytes("RiskAlert(uint8 level,bytes32 evidenceHash,uint64 issuedAt,uint64 expiresAt)"),
  ).slice(2),
  "hex",
);
const riskAlertBuf = Buffer.alloc(32 * 5);
const riskAlertView = new DataView(riskAlertBuf.buffer, riskAlertBuf.byteOffset, riskAlertBuf.byteLength);
riskAlertBuf.set(RISK_ALERT_TYPE_HASH, 0);

/** The RiskAlert's EIP-712 digest, hand-encoded (every field is one static word): a vote signs one
 *  per decision, on the risk loop's hot path. Equal to viem's hashTypedData (hashRiskAlertWithViem),
 *  as typed-data.test.ts proves. */
export function hashRiskAlert(domain: ArbiterDomain, alert: RiskAlert): Hex {
  writeUintWord(riskAlertView, 32, alert.level, 0xff);
  writeHexWord(riskAlertBuf, 64, alert.evidenceHash, 32);
  writeBigUintWord(riskAlertView, 96, alert.issuedAt, 64);
  writeBigUintWord(riskAlertView, 128, alert.expiresAt, 64);
  return eip712Digest(domain, riskAlertBuf);
}

export function hashRiskAlertWithViem(domain: ArbiterDomain, alert: RiskAlert): Hex {
  return hashTypedData({
    domain: eip712Domain(domain),
    types: riskAlertTypes,
    primaryType: "RiskAlert",
    message: alert,
  });
}

export function signRuling(domain: ArbiterDomain, r: Ruling, signer: Signer): SignerSignature {
  return { signer: signer.address, signature: signer.signDigest(hashRuling(domain, r)) };
}

export function signRiskAlert(domain: ArbiterDomain, alert: RiskAlert, signer: Signer): SignerSignature {
  return { signer: signer.address, signature: signer.signDigest(hashRiskAlert(domain, alert)) };
}

/** Orders signatures by ascending signer address and drops repeated signers, as the contract
 *  requires. */
export function sortSignatures(signatures: readonly SignerSignature[]): SignerSignature[] {
  const bySigner = new Map<string, SignerSignature>();
  for (const s of signatures) {
    const key = s.signer.toLowerCase();
    if (!bySigner.has(key)) bySigner.set(key, { signer: getAddress(s.signer), signature: s.signature });
  }
  return [...bySigner.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
