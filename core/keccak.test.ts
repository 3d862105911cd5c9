import fc from "fast-check";
import { keccak256, stringToBytes } from "viem";
import { describe, expect, it } from "vitest";
import { keccak256Bytes, keccak256Hex } from "./keccak.ts";

describe("keccak256", () => {
  it("matches the known vectors", () => {
    expect(keccak256Hex(new Uint8Array())).toBe(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(keccak256Hex(stringToBytes("hello"))).toBe(
      "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8",
    );
  });

  it("equals viem's keccak256 at every length from 0 to 3 blocks + 1", () => {
    for (let n = 0; n <= 3 * 136 + 1; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(keccak256Hex(data)).toBe(keccak256(data));
    }
  });

  it("equals viem's keccak256 for random inputs (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        expect(keccak256Hex(data)).toBe(keccak256(data));
        expect(keccak256Bytes(data)).toEqual(keccak256(data, "bytes"));
      }),
      { numRuns: 500 },
    );
  });

  it("does not read or keep state between calls (a subarray view, repeated calls)", () => {
    const big = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
    const view = big.subarray(37, 37 + 200);
    expect(keccak256Hex(view)).toBe(keccak256(view));
    expect(keccak256Hex(view)).toBe(keccak256Hex(view.slice()));
  });
});
