import { describe, expect, it } from "vitest";
import { equilibriumReserves, isqrt, priceImpactFactor, swapOut } from "./constant-product.ts";

describe("constant-product arithmetic", () => {
  it("takes integer square roots exactly", () => {
    expect(isqrt(0n)).toBe(0n);
    expect(isqrt(15n)).toBe(3n);
    expect(isqrt(16n)).toBe(4n);
    expect(isqrt(10n ** 36n)).toBe(10n ** 18n);
    expect(isqrt(10n ** 36n - 1n)).toBe(10n ** 18n - 1n);
  });

  it("swaps by x * y = k, rounding down, fee on the input", () => {
    // 1000 * 100 / 1100 = 90.9 -> 90
    expect(swapOut({ reserveIn: 1000n, reserveOut: 1000n, amountIn: 100n, feeBps: 0 })).toBe(90n);
    // 0.3% fee: dx' = 99 (99.7 rounded down), 1000 * 99 / 1099 = 90.08 -> 90
    expect(swapOut({ reserveIn: 1000n, reserveOut: 1000n, amountIn: 100n, feeBps: 30 })).toBe(90n);
    // amplified 10x: 10000 * 100 / 10100 = 99.0 -> 99
    expect(
      swapOut({ reserveIn: 1000n, reserveOut: 1000n, amountIn: 100n, feeBps: 0, amplification: 10 }),
    ).toBe(99n);
    // never drains the pool
    expect(
      swapOut({ reserveIn: 10n, reserveOut: 10n, amountIn: 10n ** 9n, feeBps: 0, amplification: 100 }),
    ).toBe(9n);
  });

  it("moves the price by ((y - out) / (x + dx)) / (y / x)", () => {
    // out 90: (910 / 1100) / 1 = 0.82727...
    expect(priceImpactFactor({ reserveIn: 1000n, reserveOut: 1000n, amountIn: 100n, feeBps: 0 })).toBeCloseTo(
      910 / 1100,
      12,
    );
  });

  it("re-centres a pool on market prices, keeping k", () => {
    // ETH (18 dp) at $2000 against USDC (6 dp) at $1, k from 100 ETH / 200k USDC.
    const k = 100n * 10n ** 18n * 200_000n * 10n ** 6n;
    const at2000 = equilibriumReserves({
      k,
      priceXUsd8: 2000n * 10n ** 8n,
      priceYUsd8: 10n ** 8n,
      decimalsX: 18,
      decimalsY: 6,
    });
    expect(at2000).toEqual({ x: 100n * 10n ** 18n, y: 200_000n * 10n ** 6n });
    // At $500 the pool holds twice the ETH and half the USDC.
    const at500 = equilibriumReserves({
      k,
      priceXUsd8: 500n * 10n ** 8n,
      priceYUsd8: 10n ** 8n,
      decimalsX: 18,
      decimalsY: 6,
    });
    expect(at500).toEqual({ x: 200n * 10n ** 18n, y: 100_000n * 10n ** 6n });
  });
});
