import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import { LedgerRevertError } from "../ledger/errors.ts";
import { createEngineMarginOracle } from "./engine-margin-oracle.ts";

const USDC = "0x00000000000000000000000000000000000000C0" as Address;
const WETH = "0x00000000000000000000000000000000000000E0" as Address;

describe("engine margin oracle", () => {
  it("values tokens at the world's live USD prices and refuses unpriced tokens", () => {
    const world = {
      assets: [
        { symbol: "USDC", decimals: 6, scale: 10n ** 6n, address: USDC },
        { symbol: "WETH", decimals: 18, scale: 10n ** 18n, address: WETH },
      ],
      price: [100_000_000n, 300_000_000_000n],
    };
    const oracle = createEngineMarginOracle(world);
    expect(oracle.value(WETH, 2n * 10n ** 18n)).toBe(6_000n * 10n ** 18n);
    expect(oracle.value(USDC, 5n * 10n ** 6n)).toBe(5n * 10n ** 18n);
    world.price[1] = 150_000_000_000n; // next step's price is seen at once
    expect(oracle.value(WETH, 10n ** 18n)).toBe(1_500n * 10n ** 18n);
    expect(() => oracle.value("0x00000000000000000000000000000000000000ff", 1n)).toThrow(LedgerRevertError);
  });
});
