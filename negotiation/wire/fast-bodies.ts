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
import {
  AGREEMENT_FIELDS,
  AGREEMENT_TERM_FIELDS,
  type Agreement,
  type AgreementFieldType,
} from "../../core/agreement.ts";
import { assertPlainName, compileFunction, returnLiteral } from "../../core/compile-object.ts";
import {
  BYTES32_PATTERN,
  DECIMAL_PATTERN,
  MAX_DECIMAL_LENGTH,
  SIGNATURE_PATTERN,
} from "../../core/formats.ts";
import { MAX_UINT256 } from "../../core/schema.ts";
import { checkedAddress } from "./checksum.ts";
import { MAX_REJECT_CODE_LENGTH, REJECT_CODE_PATTERN } from "./reject-codes.ts";
import type { Terms } from "./schemas.ts";

type Json = Record<string, unknown>;

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
  if (typeof v !== "string" || v.length > MAX_DECIMAL_LENGTH || !DECIMAL_PATTERN.test(v)) return undefined;
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
  typeof v === "string" && BYTES32_PATTERN.test(v) ? (v.toLowerCase() as Hex) : undefined;

const signature = (v: unknown): Hex | undefined =>
  typeof v === "string" && SIGNATURE_PATTERN.test(v) ? (v.toLowerCase() as Hex) : undefined;

type Check = (v: unknown) => unknown;

/** The check of each Agreement field type's JSON form (core/agreement.ts AGREEMENT_WORD_SCHEMAS). */
const WORD_CHECKS: Record<AgreementFieldType, Check> = {
  bytes32,
  address,
  uint256: (v) => uint(v, MAX_UINT256),
  uint64: (v) => uint(v, UINT64_MAX),
  uint32: (v) => small(v, UINT32_MAX),
  uint8: (v) => small(v, 0xff),
};

/** A field of a strict object: its key, its check, and whether it may be absent. */
type FieldCheck = readonly [name: string, check: Check, optional: boolean];

/** The check of a strict object of `fields`, in order: undefined if a key is unknown, a required
 *  field missing or a value refused; otherwise an object with the keys in field order, absent
 *  optionals omitted (zod's output).
 *
 *  Compiled once per field list into straight-line code: named property loads and object literals
 *  with static keys, one literal per combination of present optional fields. A generic loop with
 *  computed keys cost about a microsecond more per body in situ (keyed stores that add properties
 *  take V8's slow path), a few per cent of a whole negotiation. The names come from our own
 *  definitions, never from input, and are checked to be plain identifiers. */
function strictFields(fields: readonly FieldCheck[]): (v: unknown) => Json | undefined {
  const lines = [
    "if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;",
    "const keys = Object.keys(v);",
    `if (keys.length > ${fields.length}) return undefined;`,
    "for (let i = 0; i < keys.length; i++) if (!allowed.has(keys[i])) return undefined;",
  ];
  fields.forEach(([name, , opt], i) => {
    assertPlainName(name);
    if (!opt) lines.push(`const x${i} = c[${i}](v.${name}); if (x${i} === undefined) return undefined;`);
    else
      lines.push(
        // An absent key reads undefined; only then is it worth asking whether it is there at all.
        `const has${i} = v.${name} !== undefined || hasOwn(v, "${name}");`,
        `const x${i} = has${i} ? c[${i}](v.${name}) : undefined;`,
        `if (has${i} && x${i} === undefined) return undefined;`,
      );
  });
  lines.push(
    returnLiteral(
      fields.map(([name, , opt], i) => ({ name, value: `x${i}`, ...(opt ? { present: `has${i}` } : {}) })),
    ),
  );
  return compileFunction("strictFields", ["v"], lines.join("\n"), {
    c: fields.map(([, check]) => check),
    allowed: new Set(fields.map(([name]) => name)),
    hasOwn: Object.hasOwn,
  });
}

// Both lists come from the Agreement's one definition, in its order (zod's output order too).
const agreement = strictFields(
  AGREEMENT_FIELDS.map((f): FieldCheck => [f.name, WORD_CHECKS[f.type], "optional" in f]),
) as (v: unknown) => Agreement | undefined;

/** schemas.ts TermsSchema: the Agreement's `terms` fields (principal more than zero), then the
 *  haircut. */
const terms = strictFields([
  ...AGREEMENT_TERM_FIELDS.map(
    (f): FieldCheck => [f.name, f.name === "principal" ? positive : WORD_CHECKS[f.type], "optional" in f],
  ),
  ["haircutBps", (v) => small(v, 10_000), false],
]) as (v: unknown) => Terms | undefined;

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

const REJECT_KEYS = ["reason", "code"] as const;

function reject(v: unknown): { reason: string; code?: string } | undefined {
  if (!isObject(v) || !onlyKeys(v, REJECT_KEYS)) return undefined;
  if (typeof v.reason !== "string" || v.reason.length > 256) return undefined;
  if (!Object.hasOwn(v, "code")) return { reason: v.reason };
  const code = v.code;
  return typeof code === "string" && code.length <= MAX_REJECT_CODE_LENGTH && REJECT_CODE_PATTERN.test(code)
    ? { reason: v.reason, code }
    : undefined;
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
