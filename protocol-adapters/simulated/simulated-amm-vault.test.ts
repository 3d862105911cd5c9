import { describe, expect, it } from "vitest";
import { toJson } from "../../core/schema.ts";
import { ProtocolStateSchema } from "../protocol-state.ts";
import { SimulatedAmm } from "./simulated-amm.ts";
import { SimulatedVault } from "./simulated-vault.ts";

const usdc = { address: "0x00000000000000000000000000000000000000C0" as const, symbol: "USDC", decimals: 6 };
const weth = { address: "0x00000000000000000000000000000000000000E0" as const, symbol: "WETH", decimals: 18 };
const steth = {
  address: "0x00000000000000000000000000000000000000E1" as const,
  symbol: "stETH",
  decimals: 18,
};
const ETH = 10n ** 18n;
const id = `0x${"22".repeat(32)}` as const;

describe("simulated AMM", () => {
  const pool = () =>
    new SimulatedAmm({
      protocolId: "dex",
      tokenX: weth,
      tokenY: usdc,
      reserveX: 1_000n * ETH,
      reserveY: 2_000_000n * 10n ** 6n,
      feeBps: 30,
      priceYUsd8: 10n ** 8n,
      now: () => 0,
    });

  it("prices X from its reserves and moves the price when X is sold", async () => {
    const p = pool();
    expect(p.priceXUsd8()).toBe(2000n * 10n ** 8n);
    // 100 ETH in, 0.3% fee: 2,000,000 * 99.7 / 1099.7 = 181,322.18 USDC out.
    expect(p.swap({ sell: "x", amountIn: 100n * ETH })).toBe(181_322_178_776n);
    // New price 1,818,677.82 / 1100 = $1653.34: a 17.3% drop from a 10% sale.
    expect(p.priceXUsd8()).toBe(165_334_347_384n);
    const s = await p.snapshot();
    expect(ProtocolStateSchema.parse(JSON.parse(toJson(s)))).toEqual(s);
  });

  it("mints and burns LP shares pro rata; fees accrue to LPs", () => {
    const p = pool();
    const before = p.shareValueUsd8(10n ** 12n);
    const { shares } = p.addLiquidity({ owner: "lp", x: 10n * ETH, y: 20_000n * 10n ** 6n });
    expect(shares).toBe(p.totalShares / 101n);
    p.swap({ sell: "x", amountIn: 10n * ETH });
    p.swap({ sell: "y", amountIn: p.swap({ sell: "x", amountIn: 0n }) + 19_000n * 10n ** 6n });
    const out = p.removeLiquidity({ owner: "lp", shares });
    expect(out.x).toBeGreaterThan(0n);
    expect(() => p.removeLiquidity({ owner: "lp", shares: 1n })).toThrow(/holds 0 shares/);
    expect(p.shareValueUsd8(10n ** 12n)).toBeGreaterThan(0n);
    expect(before).toBeGreaterThan(0n);
  });
});

describe("simulated vault", () => {
  const vault = () =>
    new SimulatedVault({
      protocolId: "fund",
      liability: weth,
      liabilities: 300n * ETH,
      parUsd8: 2000n * 10n ** 8n,
      payout: weth,
      backing: [
        { token: weth, amount: 40n * ETH, liquidity: "liquid", priceUsd8: 2000n * 10n ** 8n },
        { token: steth, amount: 260n * ETH, liquidity: "illiquid", priceUsd8: 2000n * 10n ** 8n },
      ],
      shortfallCostBps: 5000,
      now: () => 0,
    });

  it("loses coverage when its backing loses value", () => {
    const v = vault();
    expect(v.coverageBps()).toBe(10_000);
    v.setPrice(steth.address, 1800n * 10n ** 8n);
    // (40 * 2000 + 260 * 1800) / (300 * 2000) = 548,000 / 600,000
    expect(v.coverageBps()).toBe(9133);
  });

  it("is short when redemptions exceed liquid backing, pledges illiquid backing, and borrowing covers it", async () => {
    const v = vault();
    v.requestRedemption(100n * ETH);
    const s = await v.snapshot();
    expect(s.liquidity[0]?.net).toBe(-60n * ETH);
    expect(s.pledgeable).toEqual([{ token: steth.address, amount: 260n * ETH }]);
    await v.apply({
      type: "loan.borrowed",
      agreementId: id,
      token: weth.address,
      principal: 60n * ETH,
      collateralToken: steth.address,
      collateral: 75n * ETH,
      amountDue: 61n * ETH,
    });
    expect(v.processRedemptions()).toBe(100n * ETH);
    expect(v.liabilities).toBe(200n * ETH);
    expect(v.outstandingDebt).toBe(61n * ETH);
    expect((await v.snapshot()).pledgeable[0]?.amount).toBe(185n * ETH);
  });

  it("de-risks by gating redemptions", async () => {
    const v = vault();
    await v.apply({ type: "derisk.tighten", bps: 500 });
    v.requestRedemption(100n * ETH);
    expect(v.processRedemptions()).toBe(15n * ETH);
    expect(v.pendingRedemptions).toBe(85n * ETH);
  });
});
