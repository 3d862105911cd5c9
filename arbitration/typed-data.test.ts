import fc from "fast-check";
import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { hashRiskAlert, hashRiskAlertWithViem } from "./typed-data.ts";

const hex = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);

describe("hashRiskAlert", () => {
  it("equals viem's hashTypedData for any alert and domain", () => {
    fc.assert(
      fc.property(
        fc.record({
          level: fc.integer({ min: 0, max: 255 }),
          evidenceHash: hex(32),
          issuedAt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          expiresAt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        hex(20),
        (alert, chainId, verifyingContract) => {
          const domain = { chainId, verifyingContract: verifyingContract as Address };
          expect(hashRiskAlert(domain, alert)).toBe(hashRiskAlertWithViem(domain, alert));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses fields that do not fit their type", () => {
    const domain = { chainId: 1, verifyingContract: `0x${"11".repeat(20)}` as Address };
    const alert = { level: 1, evidenceHash: `0x${"22".repeat(32)}` as Hex, issuedAt: 1n, expiresAt: 2n };
    expect(() => hashRiskAlert(domain, { ...alert, level: 256 })).toThrow(RangeError);
    expect(() => hashRiskAlert(domain, { ...alert, issuedAt: 2n ** 64n })).toThrow(RangeError);
  });
});
