import { describe, expect, it } from "vitest";
import { DERISK_TABLE } from "../derisk-stance.ts";
import { SimulatedLendingMarket } from "./simulated-lending-market.ts";
import { SimulatedPerpExchange } from "./simulated-perp-exchange.ts";
import { SimulatedVault } from "./simulated-vault.ts";

const usdc = { address: "0x00000000000000000000000000000000000000C0" as const, symbol: "USDC", decimals: 6 };
const weth = { address: "0x00000000000000000000000000000000000000E0" as const, symbol: "WETH", decimals: 18 };
const ETH = 10n ** 18n;

describe("alert stances on the simulated adapters: applied, idempotent, unwound by level 0", () => {
  it("lending: the buffer widens with the level, new credit stops only at the top, level 0 restores it", async () => {
    const m = new SimulatedLendingMarket({
      protocolId: "lend",
      asset: usdc,
      deposits: 1_000_000n,
      borrows: 500_000n,
      bufferBps: 1000,
      rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
      priceUsd8: 100_000_000n,
      now: () => 0,
    });
    const net = async () => (await m.snapshot()).liquidity[0]!.net;
    expect(await net()).toBe(400_000n);
    await m.derisk({ level: 2 });
    await m.derisk({ level: 2 });
    expect(await net()).toBe(500_000n - 150_000n);
    await m.derisk({ level: 3 });
    expect(await net()).toBe(0n);
    await m.derisk({ level: 0 });
    expect(await net()).toBe(400_000n);
  });

  it("perp: margins rise by the level's extra and fall back", async () => {
    const p = new SimulatedPerpExchange({
      protocolId: "perp",
      settlementToken: usdc,
      insuranceToken: weth,
      cash: 1_000_000n,
      pendingWithdrawals: 0n,
      minFloat: 100_000n,
      insuranceFund: 0n,
      adlCostBps: 2500,
      prices: { settlementUsd8: 100_000_000n, insuranceUsd8: 300_000_000_000n },
      now: () => 0,
    });
    const net = async () => (await p.snapshot()).liquidity[0]!.net;
    expect(await net()).toBe(900_000n);
    await p.derisk({ level: 1 });
    expect(await net()).toBe(900_000n - 10_000n);
    await p.derisk({ level: 0 });
    expect(await net()).toBe(900_000n);
  });

  it("vault: redemptions are paced, never stopped, and the pace lifts at level 0", async () => {
    const v = new SimulatedVault({
      protocolId: "fund",
      liability: weth,
      liabilities: 100n * ETH,
      parUsd8: 2000n * 10n ** 8n,
      payout: weth,
      backing: [{ token: weth, amount: 100n * ETH, liquidity: "liquid", priceUsd8: 2000n * 10n ** 8n }],
      shortfallCostBps: 5000,
      now: () => 0,
    });
    for (const row of DERISK_TABLE.vault) expect(row.redemptionPaceBps ?? 1).toBeGreaterThan(0);
    v.requestRedemption(50n * ETH);
    await v.derisk({ level: 3 });
    expect(v.processRedemptions()).toBe(5n * ETH);
    // 5 % of the 95 left.
    expect(v.processRedemptions()).toBe(4_750_000_000_000_000_000n);
    await v.derisk({ level: 0 });
    expect(v.processRedemptions()).toBe(40_250_000_000_000_000_000n);
    expect(v.pendingRedemptions).toBe(0n);
  });
});
