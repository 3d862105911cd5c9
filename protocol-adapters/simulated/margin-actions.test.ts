/**
 * The margin actions (loan.topUp, loan.liquidate, loan.liquidated; docs/ADAPTERS.md) in the
 * simulated adapters and the EVM adapters' loan book: collateral that left for an escrow is no
 * longer pledgeable, seized collateral is held apart from cash, and a liquidated loan closes.
 */
import { describe, expect, it } from "vitest";
import { LoanBook } from "../evm/internal/loan-book.ts";
import { SimulatedLendingMarket } from "./simulated-lending-market.ts";
import { SimulatedVault } from "./simulated-vault.ts";

const usdc = { address: "0x00000000000000000000000000000000000000C0" as const, symbol: "USDC", decimals: 6 };
const weth = { address: "0x00000000000000000000000000000000000000E0" as const, symbol: "WETH", decimals: 18 };
const id = `0x${"11".repeat(32)}` as const;
const now = () => 1_700_000_000_000;
const E18 = 10n ** 18n;

function vault() {
  return new SimulatedVault({
    protocolId: "vault",
    liability: { address: `0x${"77".repeat(20)}`, symbol: "bUSD", decimals: 6 },
    liabilities: 1_000_000n,
    parUsd8: 10n ** 8n,
    payout: usdc,
    backing: [
      { token: usdc, amount: 0n, liquidity: "liquid", priceUsd8: 10n ** 8n },
      { token: weth, amount: 1_000n * E18, liquidity: "illiquid", priceUsd8: 3_000n * 10n ** 8n },
    ],
    shortfallCostBps: 0,
    now,
  });
}
const pledgeable = async (v: SimulatedVault) =>
  (await v.snapshot()).pledgeable.find((x) => x.token === weth.address)?.amount ?? 0n;
const borrowed = {
  type: "loan.borrowed" as const,
  agreementId: id,
  token: usdc.address,
  principal: 1_000_000n,
  collateralToken: weth.address,
  collateral: 500n * E18,
  amountDue: 1_004_000n,
};

describe("margin actions, borrower side (SimulatedVault)", () => {
  it("a top-up leaves the backing; the repayment returns the whole escrow", async () => {
    const v = vault();
    await v.apply(borrowed);
    await v.apply({ type: "loan.topUp", agreementId: id, collateralToken: weth.address, amount: 100n * E18 });
    expect(await pledgeable(v)).toBe(400n * E18);
    await v.apply({
      type: "loan.repaid",
      agreementId: id,
      role: "borrower",
      token: usdc.address,
      amountDue: 1_004_000n,
      collateralToken: weth.address,
      collateral: 600n * E18,
    });
    expect(await pledgeable(v)).toBe(1_000n * E18);
    expect(v.outstandingDebt).toBe(0n);
  });

  it("a loan liquidated in full drops its debt and takes back only what was returned, once", async () => {
    const v = vault();
    await v.apply(borrowed);
    const liquidated = {
      type: "loan.liquidated" as const,
      agreementId: id,
      token: usdc.address,
      collateralToken: weth.address,
      returned: 40n * E18,
    };
    await v.apply(liquidated);
    await v.apply(liquidated);
    expect(v.outstandingDebt).toBe(0n);
    expect(await pledgeable(v)).toBe(540n * E18);
  });
});

describe("margin actions, lender side", () => {
  const market = () =>
    new SimulatedLendingMarket({
      protocolId: "lend",
      asset: usdc,
      deposits: 10_000_000n,
      borrows: 6_000_000n,
      bufferBps: 1000,
      rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
      priceUsd8: 10n ** 8n,
      now,
    });
  const liquidate = (repaid: bigint, seized: bigint, outstanding: bigint) => ({
    type: "loan.liquidate" as const,
    agreementId: id,
    token: usdc.address,
    repaid,
    collateralToken: weth.address,
    seized,
    outstanding,
  });

  it("SimulatedLendingMarket holds seized collateral apart: cash does not move, the loan closes", async () => {
    const m = market();
    await m.apply({
      type: "loan.lent",
      agreementId: id,
      token: usdc.address,
      principal: 1_000_000n,
      amountDue: 1_004_000n,
    });
    const cash = m.cash;
    await m.apply(liquidate(502_000n, 210n * E18, 502_000n));
    expect(m.cash).toBe(cash);
    expect(m.seized.get(weth.address)).toBe(210n * E18);
    // The rest repaid in cash: only that part of the principal comes back as cash.
    await m.apply({
      type: "loan.repaid",
      agreementId: id,
      role: "lender",
      token: usdc.address,
      amountDue: 1_004_000n,
      collateralToken: weth.address,
      collateral: 0n,
    });
    expect(m.cash).toBe(cash + 1_004_000n - 502_000n);
  });

  it("a loan closed by liquidation leaves the books without cash arriving", async () => {
    const m = market();
    await m.apply({
      type: "loan.lent",
      agreementId: id,
      token: usdc.address,
      principal: 1_000_000n,
      amountDue: 1_004_000n,
    });
    const cash = m.cash;
    await m.apply(liquidate(1_004_000n, 420n * E18, 0n));
    expect(m.cash).toBe(cash);
    // Closed: a late repaid action changes nothing.
    await m.apply({
      type: "loan.repaid",
      agreementId: id,
      role: "lender",
      token: usdc.address,
      amountDue: 1_004_000n,
      collateralToken: weth.address,
      collateral: 0n,
    });
    expect(m.cash).toBe(cash);
  });

  it("the EVM adapters' loan book closes liquidated loans, and only closed ones", () => {
    const book = new LoanBook();
    book.record({ type: "loan.lent", agreementId: id, token: usdc.address, principal: 7n, amountDue: 8n });
    book.record(liquidate(4n, 1n, 4n));
    expect(book.lentOut).toBe(7n);
    book.record(liquidate(4n, 1n, 0n));
    expect(book.lentOut).toBe(0n);
    book.record(borrowed);
    book.record({ type: "loan.topUp", agreementId: id, collateralToken: weth.address, amount: 1n });
    expect(book.borrowedIn).toBe(1_000_000n);
    book.record({
      type: "loan.liquidated",
      agreementId: id,
      token: usdc.address,
      collateralToken: weth.address,
      returned: 0n,
    });
    expect(book.borrowedIn).toBe(0n);
  });
});
