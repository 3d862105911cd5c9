/**
 * fast-check generators of Agreements and of their field values, derived from the Agreement's one
 * definition (agreement.ts AGREEMENT_FIELDS), so a field added there is generated, hashed, parsed
 * and checked by every property test that uses these. Tests only.
 */
import fc from "fast-check";
import { type Address, bytesToHex, type Hex } from "viem";
import { AGREEMENT_FIELDS, type Agreement, type AgreementFieldType } from "./agreement.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => bytesToHex(b));

/** Any value of an Agreement field type, over its whole range. */
export function wordArbitrary(type: AgreementFieldType): fc.Arbitrary<Hex | Address | bigint | number> {
  switch (type) {
    case "bytes32":
      return bytes(32);
    case "address":
      return bytes(20).map((h) => h as Address);
    case "uint256":
      return fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
    case "uint64":
      return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    case "uint32":
      return fc.nat({ max: 0xffffffff });
    case "uint8":
      return fc.nat({ max: 0xff });
  }
}

/** Any Agreement: every required field, optional ones present or absent. */
export const agreementArbitrary: fc.Arbitrary<Agreement> = fc.record(
  Object.fromEntries(AGREEMENT_FIELDS.map((f) => [f.name, wordArbitrary(f.type)])),
  { requiredKeys: AGREEMENT_FIELDS.filter((f) => !("optional" in f)).map((f) => f.name) },
) as fc.Arbitrary<Agreement>;

/** Whether two values of a field type are the same value (hex in any case; absent equals zero). */
export function sameWord(type: AgreementFieldType, x: unknown, y: unknown): boolean {
  const zero =
    type === "uint256" || type === "uint64" ? 0n : type === "uint32" || type === "uint8" ? 0 : undefined;
  const a = x ?? zero;
  const b = y ?? zero;
  return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
}
