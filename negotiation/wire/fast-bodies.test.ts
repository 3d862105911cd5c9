/**
 * The hand-written body checks against zod, on random bodies built field by field from valid and
 * invalid values (missing, extra and duplicated-case keys included): a fast check never accepts
 * what zod refuses, and what it accepts it outputs exactly as zod does, key order included.
 * The Agreement's and the Terms' generators come from the Agreement's one definition
 * (core/agreement.ts AGREEMENT_FIELDS), so a field added there is exercised here too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGREEMENT_FIELDS, AGREEMENT_TERM_FIELDS, type AgreementFieldType } from "../../core/agreement.ts";
import { fastBodies } from "./fast-bodies.ts";
import { REJECT_CODE_LIST } from "./reject-codes.ts";
import { BodySchemas, type MessageKind, parseBody } from "./schemas.ts";

const ADDRESSES = [
  "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
  "0xA0B86991C6218B36C1D19D4A2E9EB0CE3606EB48",
  "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
];
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const upper = (a: fc.Arbitrary<string>) => a.map((s) => `0x${s.slice(2).toUpperCase()}`);

/** Values that break every kind of field somewhere. */
const junk = fc.constantFrom<unknown>(
  undefined,
  null,
  true,
  "",
  "0x",
  "01",
  "-1",
  " 1",
  "1e3",
  "0x10",
  "1".repeat(79),
  (2n ** 256n).toString(),
  (2n ** 64n).toString(),
  -1,
  1.5,
  -0,
  2 ** 32,
  2 ** 53,
  Number.NaN,
  [],
  {},
  "0xZZ86991c6218b36c1d19d4a2e9eb0ce3606eb48",
);

const decimal = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String),
  fc.constantFrom("0", "1", (2n ** 64n - 1n).toString(), (2n ** 256n - 1n).toString()),
);
const field = {
  address: fc.oneof(fc.constantFrom(...ADDRESSES), hex(20), upper(hex(20))),
  bytes32: fc.oneof(hex(32), upper(hex(32))),
  signature: fc.oneof({ weight: 8, arbitrary: hex(65) }, upper(hex(65)), hex(64)),
  uint: decimal,
  positive: fc.oneof(
    { weight: 10, arbitrary: decimal.filter((d) => d !== "0") },
    { weight: 1, arbitrary: fc.constant("0") },
  ),
  uint64: fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    fc.constantFrom((2n ** 64n).toString()),
  ),
  small: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32)),
  bps: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(10_001)),
  uint8: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(256)),
  string: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom("x".repeat(256), "x".repeat(257))),
  code: fc.oneof(
    fc.constantFrom(...REJECT_CODE_LIST),
    fc.constantFrom("future-code", "x".repeat(48), "x".repeat(49), "Deadline", "-x", "x-", "a--b", "a b", ""),
    fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  ),
};
type FieldKind = keyof typeof field;

/** The generator of each Agreement field type (all of its range, and just past it). */
const WORD_FIELD: Record<AgreementFieldType, FieldKind> = {
  bytes32: "bytes32",
  address: "address",
  uint256: "uint",
  uint64: "uint64",
  uint32: "small",
  uint8: "uint8",
};
const optionalNames = (fs: readonly { name: string }[]) =>
  fs.filter((f) => "optional" in f).map((f) => f.name);

/** A body with each listed field valid-looking, junk, or missing (`often` ones half the time),
 *  plus sometimes an extra key. */
function bodyOf(
  shape: Record<string, FieldKind | fc.Arbitrary<unknown>>,
  often: readonly string[] = [],
): fc.Arbitrary<unknown> {
  const entries = Object.entries(shape).map(([k, f]) => {
    const valid = typeof f === "string" ? field[f] : f;
    return fc
      .oneof(
        { weight: 100, arbitrary: valid.map((v) => [k, v] as const) },
        { weight: 1, arbitrary: junk.map((v) => [k, v] as const) },
        { weight: often.includes(k) ? 100 : 1, arbitrary: fc.constant(undefined) },
      )
      .map((e) => e);
  });
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom("extra", "Principal", "__proto__", "constructor") },
      ),
    )
    .map(([fields, extra]) => {
      const o: Record<string, unknown> = {};
      for (const e of fields)
        if (e)
          Object.defineProperty(o, e[0], {
            value: e[1],
            enumerable: true,
            writable: true,
            configurable: true,
          });
      if (extra !== null)
        Object.defineProperty(o, extra, { value: 1, enumerable: true, writable: true, configurable: true });
      return o;
    });
}

const terms = bodyOf(
  {
    ...Object.fromEntries(
      AGREEMENT_TERM_FIELDS.map((f) => [f.name, f.name === "principal" ? "positive" : WORD_FIELD[f.type]]),
    ),
    haircutBps: "bps",
  },
  optionalNames(AGREEMENT_TERM_FIELDS),
);
const agreement = bodyOf(
  Object.fromEntries(AGREEMENT_FIELDS.map((f) => [f.name, WORD_FIELD[f.type]])),
  optionalNames(AGREEMENT_FIELDS),
);
const bodies: Record<string, fc.Arbitrary<unknown>> = {
  rfq: bodyOf({
    principalToken: "address",
    principal: "positive",
    maxRateBps: "small",
    tenor: "small",
    collateralToken: "address",
    collateral: "uint",
  }),
  offer: bodyOf(
    { terms, inReplyTo: "small", resent: fc.constantFrom<unknown>(true, true, true, false, "true", 1) },
    ["inReplyTo", "resent"],
  ),
  accept: bodyOf({ agreement, signature: "signature" }),
  confirm: bodyOf({ agreementId: "bytes32", signature: "signature" }),
  reject: bodyOf({ reason: "string", code: "code" }, ["code"]),
};

describe("fast body checks", () => {
  for (const [kind, arb] of Object.entries(bodies)) {
    it(`${kind}: accept only what zod accepts, and output exactly what zod outputs`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.oneof(arb, junk), (raw) => {
          const zod = BodySchemas[kind as MessageKind].safeParse(raw);
          const fast = fastBodies[kind]!(raw);
          if (fast !== undefined) {
            accepted++;
            expect(zod.success).toBe(true);
            expect(fast).toStrictEqual(zod.data);
            expect(Object.keys(fast)).toEqual(Object.keys(zod.data as object));
          }
          expect(parseBody(kind as MessageKind, raw)).toStrictEqual(zod);
        }),
        { numRuns: 3000 },
      );
      // The generator must exercise the accepting path, not only refusals.
      expect(accepted).toBeGreaterThan(100);
    });
  }

  it("leaves sealed-bid RFQs, commits and reveals to zod", () => {
    expect(fastBodies.commit).toBeUndefined();
    expect(fastBodies.reveal).toBeUndefined();
    const sealed = {
      principalToken: ADDRESSES[0],
      principal: "1",
      maxRateBps: 1,
      tenor: 1,
      collateralToken: ADDRESSES[2],
      collateral: "1",
      auction: { mode: "sealed", commitBy: 1, revealBy: 2 },
    };
    expect(fastBodies.rfq!(sealed)).toBeUndefined();
    expect(parseBody("rfq", sealed).success).toBe(true);
  });
});
