import fc from "fast-check";
import { type Address, bytesToHex } from "viem";
import { describe, expect, it } from "vitest";
import {
  type Agreement,
  AgreementSchema,
  agreementToJson,
  amountDue,
  hashAgreement,
  hashAgreementWithViem,
} from "./agreement.ts";
import { agreementArbitrary } from "./agreement-arbitraries.ts";

const addr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b) as Address);
// Every field of the one definition, optional ones present or absent.
const agreement = agreementArbitrary;
const domain = fc.record({ chainId: fc.integer({ min: 1, max: 2 ** 40 }), verifyingContract: addr });

describe("Agreement EIP-712", () => {
  // Equal digests for random values also prove the type string matches the type list.
  it("the hand-rolled hash equals viem's hashTypedData for any agreement and domain", () => {
    fc.assert(
      fc.property(domain, agreement, (d, a) => {
        expect(hashAgreement(d, a)).toBe(hashAgreementWithViem(d, a));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses values that do not fit their EIP-712 type", () => {
    const a: Agreement = fc.sample(agreement, { numRuns: 1, seed: 1 })[0]!;
    const d = { chainId: 1, verifyingContract: a.lender };
    expect(() => hashAgreement(d, { ...a, deadline: 1n << 64n })).toThrow(RangeError);
    expect(() => hashAgreement(d, { ...a, principal: -1n })).toThrow(RangeError);
  });

  it("round-trips through its JSON form, and the schema names a bad field", () => {
    fc.assert(
      fc.property(agreement, (a) => {
        const back = AgreementSchema.parse(agreementToJson(a));
        expect(back.principal).toBe(a.principal);
        expect(back.deadline).toBe(a.deadline);
        expect(back.lender.toLowerCase()).toBe(a.lender.toLowerCase());
      }),
      { numRuns: 100 },
    );
    const bad = AgreementSchema.safeParse({
      ...(agreementToJson(fc.sample(agreement, 1)[0]!) as object),
      tenor: -1,
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["tenor"]);
  });

  it("computes interest like the contract: simple, annual, rounded up", () => {
    expect(amountDue({ principal: 1_000_000n, rateBps: 1000, tenor: 365 * 86_400 })).toBe(1_100_000n);
    expect(amountDue({ principal: 1n, rateBps: 1, tenor: 1 })).toBe(2n);
    expect(amountDue({ principal: 5n, rateBps: 0, tenor: 100 })).toBe(5n);
  });
});
