/**
 * The one EIP-712 domain and Agreement type of the project. The contract (contracts/
 * LiquidityArbiter.sol) declares the same type string; a parity test proves both hashes match.
 *
 * The Agreement's fields are defined once, in AGREEMENT_FIELDS: its TypeScript type, the EIP-712
 * type list and string, the zod schema of its JSON form, the fast wire check
 * (negotiation/wire/fast-bodies.ts), the hash, the wire Terms (negotiation/wire/schemas.ts) and the
 * check of a counterparty's agreement (`agreementMismatch`) are all derived from that list. A new
 * field is one line there; its `source` says what a received agreement is checked against, so a
 * field nobody agreed to cannot slip through.
 */
import { type Address, type Hex, hashTypedData, keccak256, stringToBytes, type TypedDataDomain } from "viem";
import { z } from "zod";
import { assertPlainName, compileFunction, returnLiteral } from "./compile-object.ts";
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

// ─── The one definition ───────────────────────────────────────────────────────────────────────

/** The EIP-712 types an Agreement field may have: all static, one 32-byte word each. uint256 and
 *  uint64 travel as decimal strings and are bigints in code; uint32 and uint8 are JSON numbers. */
export type AgreementFieldType = "bytes32" | "address" | "uint256" | "uint64" | "uint32" | "uint8";

/**
 * Where a field's value comes from, which is what the party that did not build an agreement checks
 * it against before signing it:
 * - `session`: fixed by the negotiation itself (its id, the two parties in their roles, the RFQ's
 *   principal token);
 * - `terms`: negotiated: the wire `Terms` carry it under the same name, and the agreement must
 *   equal the terms offered;
 * - `nonce`: the builder's free choice (random; the contract refuses reuse);
 * - `deadline`: the builder's choice, which must lie in the checker's settlement window.
 */
export type AgreementFieldSource = "session" | "terms" | "nonce" | "deadline";

export type AgreementFieldDefinition = {
  readonly name: string;
  readonly type: AgreementFieldType;
  readonly source: AgreementFieldSource;
  /** May be absent from the JSON form; absent means zero, and is hashed and compared as zero. */
  readonly optional?: true;
  /** What the field means (docs/PROTOCOL.md's table says the same). */
  readonly doc: string;
};

/** The Agreement's fields, in EIP-712 order (the contract's struct order). */
export const AGREEMENT_FIELDS = [
  { name: "sessionId", type: "bytes32", source: "session", doc: "the negotiation session's id" },
  { name: "lender", type: "address", source: "session", doc: "the lending party" },
  { name: "borrower", type: "address", source: "session", doc: "the borrowing party (the RFQ's sender)" },
  { name: "principalToken", type: "address", source: "session", doc: "the RFQ's principal token" },
  { name: "principal", type: "uint256", source: "terms", doc: "amount lent, base units" },
  { name: "collateralToken", type: "address", source: "terms", doc: "the collateral token" },
  { name: "collateral", type: "uint256", source: "terms", doc: "collateral escrowed, base units" },
  { name: "rateBps", type: "uint32", source: "terms", doc: "simple annual rate, bps" },
  { name: "tenor", type: "uint32", source: "terms", doc: "loan duration, seconds" },
  { name: "nonce", type: "uint256", source: "nonce", doc: "unique per party, chosen by its builder" },
  { name: "deadline", type: "uint64", source: "deadline", doc: "settle before it, unix seconds" },
  {
    name: "callRiskLevel",
    type: "uint8",
    source: "terms",
    optional: true,
    doc: "0: never callable; k > 0: the lender may call the loan while the system risk level is >= k",
  },
  {
    name: "liquidationThresholdBps",
    type: "uint32",
    source: "terms",
    optional: true,
    doc: "0: no margin; t > 0: anyone may liquidate once the debt's value exceeds t bps of the collateral's",
  },
  {
    name: "liquidationBonusBps",
    type: "uint32",
    source: "terms",
    optional: true,
    doc: "what a liquidator receives in collateral on top of the value it repays, bps",
  },
  {
    name: "tighteningPerLevelBps",
    type: "uint32",
    source: "terms",
    optional: true,
    doc: "bps the liquidation threshold drops per system risk level while an alert holds",
  },
] as const satisfies readonly AgreementFieldDefinition[];

type FieldDefinitions = (typeof AGREEMENT_FIELDS)[number];
export type AgreementField = FieldDefinitions["name"];
type TsOf<T extends AgreementFieldType> = T extends "bytes32"
  ? Hex
  : T extends "address"
    ? Address
    : T extends "uint256" | "uint64"
      ? bigint
      : number;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type FieldsObject<F extends FieldDefinitions> = Simplify<
  { [D in F as D extends { optional: true } ? never : D["name"]]: TsOf<D["type"]> } & {
    [D in F as D extends { optional: true } ? D["name"] : never]?: TsOf<D["type"]> | undefined;
  }
>;

/** A loan both parties sign: `principal` of `principalToken` from lender to borrower, against
 *  `collateral` of `collateralToken` held in escrow, at simple annual `rateBps` for `tenor` seconds.
 *  It must be settled before `deadline` (unix seconds); `nonce` is unique per party.
 *  `callRiskLevel` (uint8, absent = 0 = never): the lender may call the loan early while the on-chain
 *  system risk level is at least this (see docs/ARBITRATION.md). Absent and 0 sign the same.
 *  `liquidationThresholdBps`, `liquidationBonusBps`, `tighteningPerLevelBps` (uint32, absent = 0 = no
 *  margin): the negotiated margin (docs/ARBITRATION.md, "Margins"). */
export type Agreement = FieldsObject<FieldDefinitions>;

/** The fields a negotiation's Terms carry (source `terms`). */
export type AgreementTerms = FieldsObject<Extract<FieldDefinitions, { source: "terms" }>>;
/** The fields the session fixes (source `session`). */
export type AgreementSession = FieldsObject<Extract<FieldDefinitions, { source: "session" }>>;

export const AGREEMENT_FIELD_NAMES: readonly AgreementField[] = AGREEMENT_FIELDS.map((f) => f.name);
export const AGREEMENT_TERM_FIELDS = AGREEMENT_FIELDS.filter(
  (f): f is Extract<FieldDefinitions, { source: "terms" }> => f.source === "terms",
);

// ─── Derived: EIP-712 types, JSON schema ──────────────────────────────────────────────────────

export const agreementTypes = {
  Agreement: AGREEMENT_FIELDS.map(({ name, type }) => ({ name, type })),
};

/** The type string, as the contract's AGREEMENT_TYPEHASH spells it. */
export const AGREEMENT_TYPE = `Agreement(${AGREEMENT_FIELDS.map((f) => `${f.type} ${f.name}`).join(",")})`;

/** The zod schema of each field type's JSON form. */
export const AGREEMENT_WORD_SCHEMAS = {
  bytes32,
  address,
  uint256: uint(256),
  uint64: uint(64),
  uint32: smallUint(0xffffffff),
  uint8: smallUint(0xff),
} as const;
type WordSchemas = typeof AGREEMENT_WORD_SCHEMAS;
type ShapeOf<F extends FieldDefinitions> = {
  [D in F as D["name"]]: D extends { optional: true }
    ? z.ZodOptional<WordSchemas[D["type"]]>
    : WordSchemas[D["type"]];
};

function shapeOf<F extends FieldDefinitions>(fields: readonly F[]): ShapeOf<F> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    const s = AGREEMENT_WORD_SCHEMAS[f.type];
    shape[f.name] = "optional" in f ? s.optional() : s;
  }
  return shape as ShapeOf<F>;
}

/** Wire/JSON form of an Agreement (bigints as decimal strings), validated on arrival. */
export const AgreementSchema = z.strictObject(shapeOf(AGREEMENT_FIELDS));

/** The zod shape of the negotiated fields, in Agreement order: the wire Terms start from it. */
export const agreementTermsShape = shapeOf(AGREEMENT_TERM_FIELDS);

// Both directions: the schema's output is exactly the Agreement type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesType: Same<z.output<typeof AgreementSchema>, Agreement> = true;
void schemaMatchesType;

export function agreementToJson(a: Agreement): unknown {
  return JSON.parse(toJson(a));
}

// ─── Derived: the hash ────────────────────────────────────────────────────────────────────────

const AGREEMENT_TYPEHASH = keccak256(stringToBytes(AGREEMENT_TYPE), "bytes");

// One encoding buffer, every word of it rewritten by each (synchronous) call; the zero padding
// of address and small-uint words is never written. Saves an allocation and zero-fill per hash.
const structBuf = Buffer.alloc(32 * (AGREEMENT_FIELDS.length + 1));
const structView = new DataView(structBuf.buffer, structBuf.byteOffset, structBuf.byteLength);
structBuf.set(AGREEMENT_TYPEHASH, 0);

const field = (a: Agreement, name: string) => (a as Record<string, unknown>)[name];

/** Writes every field of an agreement into its word of the buffer, in definition order. Compiled
 *  once from AGREEMENT_FIELDS into straight-line code (named loads, one call per word): a loop of
 *  per-field closures reading computed keys cost visibly more on every hash. Names are checked to be
 *  plain identifiers; they come from the definition above, never from input. */
/** The zero of a field type, as a JavaScript literal (absent optional fields are hashed as it). */
const zeroLiteral = (type: AgreementFieldType) => (type === "uint256" || type === "uint64" ? "0n" : "0");

const writeWords = compileFunction<(a: Agreement) => void>(
  "writeAgreementWords",
  ["a"],
  (AGREEMENT_FIELDS as readonly AgreementFieldDefinition[])
    .map((f, i) => {
      const offset = 32 * (i + 1);
      const load = `a.${assertPlainName(f.name)}`;
      const value = "optional" in f ? `(${load} ?? ${zeroLiteral(f.type)})` : load;
      switch (f.type) {
        case "bytes32":
          return `hex(buf, ${offset}, ${value}, 32);`;
        case "address":
          return `hex(buf, ${offset}, ${value}, 20);`;
        case "uint256":
        case "uint64":
          return `big(view, ${offset}, ${value}, ${f.type === "uint256" ? 256 : 64});`;
        default:
          return `small(view, ${offset}, ${value}, ${f.type === "uint32" ? 0xffffffff : 0xff});`;
      }
    })
    .join("\n"),
  { buf: structBuf, view: structView, hex: writeHexWord, big: writeBigUintWord, small: writeUintWord },
);

/** The EIP-712 digest of an agreement, which is also its id on the contract. Hand-rolled (all
 *  fields are static words) because it sits on every accept and confirm; equal to viem's
 *  hashTypedData, which `hashAgreementWithViem` keeps for the tests that prove it. */
export function hashAgreement(domain: ArbiterDomain, a: Agreement): Hex {
  writeWords(a);
  return eip712Digest(domain, structBuf);
}

/** An agreement with every optional field present (absent = zero), as an ABI encoder wants it. */
export type CompleteAgreement = { [K in keyof Agreement]-?: Exclude<Agreement[K], undefined> };

/** The agreement with every optional field present (absent = zero). */
export function withDefaults(a: Agreement): CompleteAgreement {
  const out: Record<string, unknown> = { ...a };
  for (const f of AGREEMENT_FIELDS) {
    if ("optional" in f && out[f.name] === undefined) out[f.name] = zeroOf(f.type);
  }
  return out as CompleteAgreement;
}

const zeroOf = (type: AgreementFieldType): bigint | number =>
  type === "uint256" || type === "uint64" ? 0n : 0;

export function hashAgreementWithViem(domain: ArbiterDomain, agreement: Agreement): Hex {
  return hashTypedData({
    domain: eip712Domain(domain),
    types: agreementTypes,
    primaryType: "Agreement",
    message: withDefaults(agreement),
  });
}

export function signAgreement(domain: ArbiterDomain, agreement: Agreement, signer: Signer): Hex {
  return signer.signDigest(hashAgreement(domain, agreement));
}

// ─── Derived: building and checking agreements from what was negotiated ───────────────────────

export type BuildAgreementParameters = {
  session: AgreementSession;
  terms: AgreementTerms;
  nonce: bigint;
  deadline: bigint;
};

/** The agreement of `terms` in `session`: every field from its source. Optional fields the terms
 *  leave absent (or zero) stay absent, so a peer that predates them signs the same agreement. */
export function buildAgreement(p: BuildAgreementParameters): Agreement {
  return buildFromSources(p.session, p.terms, p.nonce, p.deadline);
}

/** buildAgreement compiled from the definition (a literal per combination of optional fields). */
const buildFromSources = compileFunction<
  (session: AgreementSession, terms: AgreementTerms, nonce: bigint, deadline: bigint) => Agreement
>(
  "buildAgreementFromSources",
  ["s", "t", "nonce", "deadline"],
  (() => {
    const defs = AGREEMENT_FIELDS as readonly AgreementFieldDefinition[];
    const source = (f: AgreementFieldDefinition) =>
      f.source === "session" ? `s.${f.name}` : f.source === "terms" ? `t.${f.name}` : f.source;
    const lines = defs.flatMap((f, i) =>
      "optional" in f
        ? [`const v${i} = ${source(f)};`, `const has${i} = v${i} !== undefined && v${i} != 0;`]
        : [],
    );
    lines.push(
      returnLiteral(
        defs.map((f, i) =>
          "optional" in f
            ? { name: f.name, value: `v${i}`, present: `has${i}` }
            : { name: f.name, value: source(f) },
        ),
      ),
    );
    return lines.join("\n");
  })(),
);

/** Why a received agreement is not the one negotiated: the first field that differs. */
export type AgreementMismatch = {
  field: AgreementField;
  /** `mismatch`: the field differs from the session or the terms; `deadline`: outside the window. */
  kind: "mismatch" | "deadline";
  expected: string;
  received: string;
};

export type AgreementMismatchParameters = {
  session: AgreementSession;
  /** The terms offered, which the agreement must equal field for field. */
  terms: AgreementTerms;
  /** The deadline must be after `after` and at most `notAfter` (unix seconds). */
  deadline: { after: bigint; notAfter: bigint };
  /** The builder's nonce must pass this, if given (e.g. a rule about which part of the nonce is
   *  whose); without it any nonce is the builder's business (the contract refuses reuse). */
  nonce?: ((nonce: bigint) => boolean) | undefined;
};

const text = (v: unknown) => (v === undefined ? "absent" : String(v));

/** Compares EVERY field of `a` with its source (AGREEMENT_FIELDS): the session's and the terms'
 *  fields must be equal (addresses and hex in any case; an absent optional field equals zero), the
 *  deadline must lie in the window, the nonce is the builder's (checked by `nonce` if given).
 *  Returns the first difference, or undefined when the agreement is exactly what was negotiated. */
export function agreementMismatch(
  a: Agreement,
  p: AgreementMismatchParameters,
): AgreementMismatch | undefined {
  return createAgreementCheck(p.session)(a, p);
}

/** The check of agreements in one session (what agreementMismatch does), with the session's
 *  values prepared once: a session checks every accept it receives with it. */
export type AgreementCheck = (
  a: Agreement,
  p: Omit<AgreementMismatchParameters, "session">,
) => AgreementMismatch | undefined;

type CheckParameters = Omit<AgreementMismatchParameters, "session">;
/** The session's values, hex lowercased once (a session checks every accept it receives). */
type PreparedSession = Record<string, unknown>;
type FieldCheck = (
  a: Agreement,
  p: CheckParameters,
  session: PreparedSession,
) => AgreementMismatch | undefined;

const isHexType = (type: AgreementFieldType) => type === "address" || type === "bytes32";

const fieldMismatch = (name: AgreementField, expected: unknown, received: unknown): AgreementMismatch => ({
  field: name,
  kind: "mismatch",
  expected: text(expected),
  received: text(received),
});

/** One check per field, by its source, built once: a session's check creates no functions (under
 *  tsx every function created also costs a defineProperty for its name, per session). */
const FIELD_CHECKS: readonly FieldCheck[] = AGREEMENT_FIELDS.map((f): FieldCheck => {
  const name = f.name;
  const optional = "optional" in f;
  const hex = isHexType(f.type);
  const zero = zeroOf(f.type);
  switch (f.source) {
    case "session":
      return (a, _p, session) => {
        const received = field(a, name);
        const expected = session[name];
        const same = hex
          ? typeof received === "string" && received.toLowerCase() === expected
          : (received ?? (optional ? zero : undefined)) === (expected ?? (optional ? zero : undefined));
        return same ? undefined : fieldMismatch(name, expected, received);
      };
    case "terms":
      return (a, p) => {
        const received = field(a, name);
        const expected = field(p.terms as Agreement, name);
        return sameValue(f.type, optional, expected, received)
          ? undefined
          : fieldMismatch(name, expected, received);
      };
    case "nonce":
      return (a, p) => {
        const received = field(a, name) as bigint;
        return p.nonce === undefined || p.nonce(received)
          ? undefined
          : { field: name, kind: "mismatch", expected: "a nonce of the builder's", received: text(received) };
      };
    default:
      // The deadline: in the window.
      return (a, p) => {
        const d = field(a, name) as bigint;
        if (d > p.deadline.after && d <= p.deadline.notAfter) return undefined;
        return {
          field: name,
          kind: "deadline",
          expected: `${p.deadline.after} < deadline <= ${p.deadline.notAfter}`,
          received: text(d),
        };
      };
  }
});

export function createAgreementCheck(session: AgreementSession): AgreementCheck {
  const prepared: PreparedSession = {};
  for (const f of AGREEMENT_FIELDS) {
    if (f.source !== "session") continue;
    const v = field(session as Agreement, f.name);
    prepared[f.name] = isHexType(f.type) && typeof v === "string" ? v.toLowerCase() : v;
  }
  return (a, p) => {
    for (let i = 0; i < FIELD_CHECKS.length; i++) {
      const m = FIELD_CHECKS[i]!(a, p, prepared);
      if (m !== undefined) return m;
    }
    return undefined;
  };
}

function sameValue(type: AgreementFieldType, optional: boolean, x: unknown, y: unknown): boolean {
  if (optional) {
    x ??= zeroOf(type);
    y ??= zeroOf(type);
  }
  if (isHexType(type))
    return typeof x === "string" && typeof y === "string" && (x === y || x.toLowerCase() === y.toLowerCase());
  return x === y;
}

// ─── Signatures and amounts ───────────────────────────────────────────────────────────────────

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
