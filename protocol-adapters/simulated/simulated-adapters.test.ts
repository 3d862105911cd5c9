import { describe, expect, it } from "vitest";
import { toJson } from "../../core/schema.ts";
import { ProtocolStateSchema } from "../protocol-state.ts";
import { borrowRateBps, type KinkedRateModel, supplyRateBps, utilizationBps } from "./interest-rate-model.ts";
import { SimulatedLendingMarket } from "./simulated-lending-market.ts";
import { SimulatedPerpExchange } from "./simulated-perp-exchange.ts";

const usdc = { address: "0x00000000000000000000000000000000000000C0" as const, symbol: "USDC", decimals: 6 };
const weth = { address: "0x00000000000000000000000000000000000000E0" as const, symbol: "WETH", decimals: 18 };
const model: KinkedRateModel = {
  baseBps: 0,
  slope1Bps: 400,
  slope2Bps: 6000,
  kinkBps: 8000,
  reserveFactorBps: 1000,
};
const id = `0x${"11".repeat(32)}` as const;

describe("kinked rate model", () => {
  it("is continuous at the kink and steep above it", () => {
    expect(borrowRateBps(model, 0)).toBe(0);
    expect(borrowRateBps(model, 8000)).toBe(400);
    expect(borrowRateBps(model, 9000)).toBe(3400);
    expect(borrowRateBps(model, 10_000)).toBe(6400);
    expect(supplyRateBps(model, 8000)).toBe(288); // 400 * 0.8 * 0.9
    expect(utilizationBps(80n, 100n)).toBe(8000);
  });
});

describe("simulated lending market", () => {
  const market = () =>
    new SimulatedLendingMarket({
      protocolId: "lend",
      asset: usdc,
      deposits: 10_000_000n,
      borrows: 6_000_000n,
      bufferBps: 1000,
      rateModel: model,
      priceUsd8: 100_000_000n,
      now: () => 1_700_000_000_000,
    });

  it("reports cash above its buffer as surplus, in a state that survives the wire", async () => {
    const s = await market().snapshot();
    expect(s.liquidity[0]).toMatchObject({ liquid: 4_000_000n, net: 3_000_000n });
    expect(s.opportunityRateBps).toBe(supplyRateBps(model, 6000));
    expect(ProtocolStateSchema.parse(JSON.parse(toJson(s)))).toEqual(s);
  });

  it("lends, is repaid with interest for depositors, and pauses credit when de-risking", async () => {
    const m = market();
    await m.apply({
      type: "loan.lent",
      agreementId: id,
      token: usdc.address,
      principal: 1_000_000n,
      amountDue: 1_010_000n,
    });
    expect((await m.snapshot()).liquidity[0]?.net).toBe(2_000_000n);
    await m.apply({
      type: "loan.repaid",
      agreementId: id,
      role: "lender",
      token: usdc.address,
      amountDue: 1_010_000n,
      collateralToken: weth.address,
      collateral: 1n,
    });
    const after = (await m.snapshot()).liquidity[0]!;
    expect(after.liquid).toBe(4_010_000n);
    await m.apply({ type: "derisk.pauseCredit", paused: true });
    expect((await m.snapshot()).liquidity[0]?.net).toBe(0n);
  });

  it("refuses a malformed state on the wire with a message naming the field", () => {
    const r = ProtocolStateSchema.safeParse({ v: 0, protocolId: "x", kind: "bank" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.some((i) => i.path[0] === "kind")).toBe(true);
  });
});

describe("simulated perp exchange", () => {
  it("is short when withdrawals exceed cash plus float, and borrowing covers it", async () => {
    const p = new SimulatedPerpExchange({
      protocolId: "perp",
      settlementToken: usdc,
      insuranceToken: weth,
      cash: 1_000_000n,
      pendingWithdrawals: 1_500_000n,
      minFloat: 100_000n,
      insuranceFund: 10n ** 18n,
      adlCostBps: 2500,
      prices: { settlementUsd8: 100_000_000n, insuranceUsd8: 300_000_000_000n },
      now: () => 0,
    });
    expect((await p.snapshot()).liquidity[0]?.net).toBe(-600_000n);
    await p.apply({
      type: "loan.borrowed",
      agreementId: id,
      token: usdc.address,
      principal: 600_000n,
      collateralToken: weth.address,
      collateral: 5n * 10n ** 17n,
      amountDue: 601_000n,
    });
    expect((await p.snapshot()).liquidity[0]?.net).toBe(0n);
    expect(p.processWithdrawals()).toBe(1_500_000n);
    expect(p.outstandingDebt).toBe(601_000n);
    expect((await p.snapshot()).pledgeable[0]?.amount).toBe(5n * 10n ** 17n);
  });
});
