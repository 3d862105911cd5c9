/**
 * Hand-written checks of the bodies a negotiation sends most (rfq, offer, accept, confirm,
 * reject), in their JSON form. Each returns exactly what its zod schema in schemas.ts outputs
 * (bigints, checksummed addresses, lowercase hex, keys in schema order), or `undefined` for
 * anything it does not accept, which then goes through zod for the verdict and the error.
 * zod's generic walk was a third of the wire's non-crypto time; these are a few property reads.
 * fast-bodies.test.ts proves, on random and mutated bodies, that they never accept what zod
 * refuses and never output anything other than what zod does.
 */
import type { Hex } from "viem";
import type { Agreement } from "../../core/agreement.ts";
import { MAX_UINT256 } from "../../core/schema.ts";
import { checkedAddress } from "./checksum.ts";
import type { Terms } from "./schemas.ts";

type Json = Record<string, unknown>;

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
const UINT32_MAX = 0xffffffff;
const UINT64_MAX = (1n << 64n) - 1n;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** True when every own key of `o` is one of `allowed` (a strict object's unknown-key check). */
function onlyKeys(o: Json, allowed: readonly string[]): boolean {
  const keys = Object.keys(o);
  if (keys.length > allowed.length) return false;
  for (const k of keys) if (!allowed.includes(k)) return false;
  return true;
}

/** A decimal-string uint (schema.ts `uint`): at most 78 characters, at most `max`. */
function uint(v: unknown, max: bigint): bigint | undefined {
  if (typeof v !== "string" || v.length > 78 || !DECIMAL.test(v)) return undefined;
  const n = BigInt(v);
  return n <= max ? n : undefined;
}

const positive = (v: unknown): bigint | undefined => {
  const n = uint(v, MAX_UINT256);
  return n !== undefined && n > 0n ? n : undefined;
};

/** A JSON-number uint (schema.ts `smallUint`). */
const small = (v: unknown, max: number): number | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : undefined;

const address = checkedAddress;

const bytes32 = (v: unknown): Hex | undefined =>
  typeof v === "string" && BYTES32.test(v) ? (v.toLowerCase() as Hex) : undefined;

const signature = (v: unknown): Hex | undefined =>
  typeof v === "string" && SIGNATURE.test(v) ? (v.toLowerCase() as Hex) : undefined;

const TERMS_KEYS = ["principal", "rateBps", "tenor", "collateralToken", "collateral", "haircutBps"] as const;

function terms(v: unknown): Terms | undefined {
  if (!isObject(v) || !onlyKeys(v, TERMS_KEYS)) return undefined;
  const principal = positive(v.principal);
  const rateBps = small(v.rateBps, UINT32_MAX);
  const tenor = small(v.tenor, UINT32_MAX);
  const collateralToken = address(v.collateralToken);
  const collateral = uint(v.collateral, MAX_UINT256);
  const haircutBps = small(v.haircutBps, 10_000);
  if (
    principal === undefined ||
    rateBps === undefined ||
    tenor === undefined ||
    collateralToken === undefined ||
    collateral === undefined ||
    haircutBps === undefined
  )
    return undefined;
  return { principal, rateBps, tenor, collateralToken, collateral, haircutBps };
}

const OFFER_KEYS = ["terms", "inReplyTo", "resent"] as const;

function offer(v: unknown): { terms: Terms; inReplyTo?: number; resent?: true } | undefined {
  if (!isObject(v) || !onlyKeys(v, OFFER_KEYS)) return undefined;
  const t = terms(v.terms);
  if (t === undefined) return undefined;
  const out: { terms: Terms; inReplyTo?: number; resent?: true } = { terms: t };
  if (Object.hasOwn(v, "inReplyTo")) {
    const inReplyTo = small(v.inReplyTo, UINT32_MAX);
    if (inReplyTo === undefined) return undefined;
    out.inReplyTo = inReplyTo;
  }
  if (Object.hasOwn(v, "resent")) {
    if (v.resent !== true) return undefined;
    out.resent = true;
  }
  return out;
}

const AGREEMENT_KEYS = [
  "sessionId",
  "lender",
  "borrower",
  "principalToken",
  "principal",
  "collateralToken",
  "collateral",
  "rateBps",
  "tenor",
  "nonce",
  "deadline",
  "callRiskLevel",
] as const;

function agreement(v: unknown): Agreement | undefined {
  if (!isObject(v) || !onlyKeys(v, AGREEMENT_KEYS)) return undefined;
  const a = {
    sessionId: bytes32(v.sessionId),
    lender: address(v.lender),
    borrower: address(v.borrower),
    principalToken: address(v.principalToken),
    principal: uint(v.principal, MAX_UINT256),
    collateralToken: address(v.collateralToken),
    collateral: uint(v.collateral, MAX_UINT256),
    rateBps: small(v.rateBps, UINT32_MAX),
    tenor: small(v.tenor, UINT32_MAX),
    nonce: uint(v.nonce, MAX_UINT256),
    deadline: uint(v.deadline, UINT64_MAX),
  };
  for (const k in a) if (a[k as keyof typeof a] === undefined) return undefined;
  if (!Object.hasOwn(v, "callRiskLevel")) return a as Agreement;
  const callRiskLevel = small(v.callRiskLevel, 0xff);
  return callRiskLevel === undefined ? undefined : ({ ...a, callRiskLevel } as Agreement);
}

const ACCEPT_KEYS = ["agreement", "signature"] as const;

function accept(v: unknown): { agreement: Agreement; signature: Hex } | undefined {
  if (!isObject(v) || !onlyKeys(v, ACCEPT_KEYS)) return undefined;
  const a = agreement(v.agreement);
  const sig = signature(v.signature);
  return a === undefined || sig === undefined ? undefined : { agreement: a, signature: sig };
}

const CONFIRM_KEYS = ["agreementId", "signature"] as const;

function confirm(v: unknown): { agreementId: Hex; signature: Hex } | undefined {
  if (!isObject(v) || !onlyKeys(v, CONFIRM_KEYS)) return undefined;
  const agreementId = bytes32(v.agreementId);
  const sig = signature(v.signature);
  return agreementId === undefined || sig === undefined ? undefined : { agreementId, signature: sig };
}

const REJECT_KEYS = ["reason"] as const;

function reject(v: unknown): { reason: string } | undefined {
  if (!isObject(v) || !onlyKeys(v, REJECT_KEYS)) return undefined;
  return typeof v.reason === "string" && v.reason.length <= 256 ? { reason: v.reason } : undefined;
}

/** The open RFQ only: a sealed-bid RFQ (with `auction`) goes to zod. */
const RFQ_KEYS = [
  "principalToken",
  "principal",
  "maxRateBps",
  "tenor",
  "collateralToken",
  "collateral",
] as const;

function rfq(v: unknown) {
  if (!isObject(v) || !onlyKeys(v, RFQ_KEYS)) return undefined;
  const r = {
    principalToken: address(v.principalToken),
    principal: positive(v.principal),
    maxRateBps: small(v.maxRateBps, UINT32_MAX),
    tenor: small(v.tenor, UINT32_MAX),
    collateralToken: address(v.collateralToken),
    collateral: uint(v.collateral, MAX_UINT256),
  };
  for (const k in r) if (r[k as keyof typeof r] === undefined) return undefined;
  return r;
}

/** Fast checks by message kind; kinds without one (commit, reveal) always go to zod. */
export const fastBodies: Partial<Record<string, (raw: unknown) => object | undefined>> = {
  rfq,
  offer,
  accept,
  confirm,
  reject,
};
