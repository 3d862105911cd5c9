import { describe, expect, it } from "vitest";
import { pathToUsd8, priceToUsd8 } from "./price-to-usd8.ts";

describe("priceToUsd8", () => {
  it("rounds a float price to USD with 8 decimals", () => {
    expect(priceToUsd8(1)).toBe(100_000_000n);
    expect(priceToUsd8(1234.56789012)).toBe(123_456_789_012n);
    expect(priceToUsd8(0.000000004)).toBe(0n);
    expect(priceToUsd8(0.000000006)).toBe(1n);
    expect(priceToUsd8(0.87)).toBe(87_000_000n);
  });

  it("rejects prices that are not prices", () => {
    expect(() => priceToUsd8(-1)).toThrow(/price: is -1/);
    expect(() => priceToUsd8(Number.NaN)).toThrow(/price: is NaN/);
  });

  it("converts a whole path into a typed array", () => {
    expect([...pathToUsd8(Float64Array.from([194, 110.58]))]).toEqual([19_400_000_000n, 11_058_000_000n]);
    expect(() => pathToUsd8(Float64Array.from([1, 1e12]))).toThrow(/path\[1\]: is 1000000000000, too large/);
  });
});
