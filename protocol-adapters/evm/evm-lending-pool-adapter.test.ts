import { type Address, type Hex, maxUint256 } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approve } from "../../arbitration/approve.ts";
import { mintTestToken } from "../../arbitration/mint-test-token.ts";
import { toJson } from "../../core/schema.ts";
import {
  type AnvilHarness,
  type ArbiterFixture,
  type Party,
  rejection,
  useAnvil,
} from "../../test/harness/anvil.ts";
import { ProtocolStateSchema } from "../protocol-state.ts";
import { type KinkedRateModel, supplyRateBps } from "../simulated/interest-rate-model.ts";
import { deploySimpleLendingPool } from "./deploy-simple-lending-pool.ts";
import { EvmAdapterInvalidActionError, EvmAdapterWriteError } from "./errors.ts";
import { EvmLendingPoolAdapter } from "./evm-lending-pool-adapter.ts";
import { simpleLendingPoolAbi } from "./generated/SimpleLendingPool.ts";

const usdc = (n: number) => BigInt(n) * 10n ** 6n;
const weth = (n: number) => BigInt(n) * 10n ** 18n;
const rateModel: KinkedRateModel = {
  baseBps: 0,
  slope1Bps: 400,
  slope2Bps: 6000,
  kinkBps: 8000,
  reserveFactorBps: 1000,
};
const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

let chain: AnvilHarness;
let fx: ArbiterFixture;
let pool: Address;
let treasury: Party;
let snap: Hex;

type PoolWrite = "deposit" | "depositCollateral" | "borrow" | "repay" | "withdraw";

/** `party` calls `functionName(amount)` on the pool and waits for it. */
async function poolCall(party: Party, functionName: PoolWrite, amount: bigint): Promise<void> {
  const hash = await party.clients.wallet.writeContract({
    address: pool,
    abi: simpleLendingPoolAbi,
    functionName,
    args: [amount],
  });
  const receipt = await party.clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
}

function adapter(clients = treasury.clients): EvmLendingPoolAdapter {
  return new EvmLendingPoolAdapter({
    protocolId: "evm-lending-pool",
    clients,
    pool,
    bufferBps: 1000,
    rateModel,
    shortfallCostBps: 2500,
  });
}

beforeAll(async () => {
  chain = await useAnvil();
  fx = await chain.deployFixture({ approve: false });
  treasury = fx.deployer;
  ({ address: pool } = await deploySimpleLendingPool({
    clients: treasury.clients,
    asset: fx.usdc,
    collateralToken: fx.weth,
    ltvBps: 8000,
    assetPriceUsd8: 100_000_000n,
    collateralPriceUsd8: 3000_00000000n,
  }));
  const { clients } = treasury;
  await mintTestToken({ clients, token: fx.usdc, to: treasury.address, amount: usdc(2_000_000) });
  await mintTestToken({ clients, token: fx.weth, to: treasury.address, amount: weth(50) });
  for (const p of [fx.lender, fx.borrower, fx.stranger]) {
    await approve({ clients: p.clients, token: fx.usdc, spender: pool, amount: maxUint256 });
    await approve({ clients: p.clients, token: fx.weth, spender: pool, amount: maxUint256 });
  }
  // Two depositors, two borrowers.
  await poolCall(fx.lender, "deposit", usdc(1_000_000));
  await poolCall(fx.stranger, "deposit", usdc(500_000));
  await poolCall(fx.borrower, "depositCollateral", weth(100));
  await poolCall(fx.borrower, "borrow", usdc(200_000));
  await poolCall(fx.stranger, "depositCollateral", weth(10));
  await poolCall(fx.stranger, "borrow", usdc(10_000));
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("EvmLendingPoolAdapter.snapshot", () => {
  it("reports the pool's books, prices and the treasury's balances exactly", async () => {
    const state = await adapter().snapshot();
    // deposits 1.5M, borrows 210k, cash 1.29M; buffer 10% = 150k; treasury holds 2M.
    expect(state).toEqual({
      v: 0,
      protocolId: "evm-lending-pool",
      kind: "lending",
      timestamp: Number(await chain.now()),
      liquidity: [
        { token: fx.usdc, symbol: "USDC", decimals: 6, liquid: usdc(2_000_000), net: usdc(1_140_000) },
      ],
      pledgeable: [{ token: fx.weth, amount: weth(50) }],
      prices: [
        { token: fx.usdc, usd8: 100_000_000n },
        { token: fx.weth, usd8: 3000_00000000n },
      ],
      opportunityRateBps: supplyRateBps(rateModel, 1400),
      shortfallCostBps: 2500,
      risk: { utilizationBps: 1400, bufferBps: 1000, ltvBps: 8000, borrowingPaused: 0 },
    });
    expect(ProtocolStateSchema.parse(JSON.parse(toJson(state)))).toEqual(state);
  });

  it("follows the chain: a repayment and a withdrawal change cash and utilization", async () => {
    await poolCall(fx.borrower, "repay", usdc(50_000));
    await poolCall(fx.lender, "withdraw", usdc(300_000));
    // deposits 1.2M, borrows 160k, cash 1.04M, buffer 120k.
    const state = await adapter().snapshot();
    expect(state.liquidity[0]!.net).toBe(usdc(920_000));
    expect(state.risk.utilizationBps).toBe(1333);
  });

  it("caps surplus at what the treasury can move", async () => {
    const state = await adapter(fx.lender.clients).snapshot();
    // The lender holds 10M - 1M deposited = 9M; surplus is still the pool's 1.14M.
    expect(state.liquidity[0]).toMatchObject({ liquid: usdc(9_000_000), net: usdc(1_140_000) });
    const poor = await adapter(fx.arbiters[0]!.clients).snapshot();
    expect(poor.liquidity[0]).toMatchObject({ liquid: 0n, net: 0n });
    expect(poor.pledgeable).toEqual([]);
  });

  it("reports a shortfall when cash falls below the buffer, and borrowing closes it", async () => {
    await poolCall(fx.stranger, "depositCollateral", weth(1000));
    await poolCall(fx.stranger, "borrow", usdc(1_200_000));
    // cash 90k against a 150k buffer.
    const a = adapter();
    expect((await a.snapshot()).liquidity[0]!.net).toBe(-usdc(60_000));
    const borrowed = {
      type: "loan.borrowed",
      agreementId: id(1),
      token: fx.usdc,
      principal: usdc(60_000),
      collateralToken: fx.weth,
      collateral: weth(30),
      amountDue: usdc(60_500),
    } as const;
    await a.apply(borrowed);
    await a.apply(borrowed);
    expect((await a.snapshot()).liquidity[0]!.net).toBe(0n);
    await a.apply({ ...borrowed, type: "loan.repaid", role: "borrower" });
    expect((await a.snapshot()).liquidity[0]!.net).toBe(-usdc(60_000));
  });

  it("counts principal lent out once per agreement until it is repaid", async () => {
    const a = adapter();
    const lent = {
      type: "loan.lent",
      agreementId: id(2),
      token: fx.usdc,
      principal: usdc(400_000),
      amountDue: usdc(402_000),
    } as const;
    await a.apply(lent);
    await a.apply(lent);
    expect((await a.snapshot()).liquidity[0]!.net).toBe(usdc(740_000));
    const repaid = {
      type: "loan.repaid",
      agreementId: id(2),
      role: "lender",
      token: fx.usdc,
      amountDue: usdc(402_000),
      collateralToken: fx.weth,
      collateral: weth(200),
    } as const;
    await a.apply(repaid);
    await a.apply(repaid);
    expect((await a.snapshot()).liquidity[0]!.net).toBe(usdc(1_140_000));
  });

  it("refuses a malformed state on the wire, naming the field", async () => {
    const json = JSON.parse(toJson(await adapter().snapshot()));
    json.liquidity[0].net = "1.5";
    const result = ProtocolStateSchema.safeParse(json);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(["liquidity", 0, "net"]);
  });
});

describe("EvmLendingPoolAdapter.apply (de-risking on chain)", () => {
  const read = <F extends "borrowingPaused" | "ltvBps">(functionName: F) =>
    treasury.clients.public.readContract({ address: pool, abi: simpleLendingPoolAbi, functionName });

  it("derisk.pauseCredit pauses borrowing on the pool and reports no surplus", async () => {
    const a = adapter();
    await a.apply({ type: "derisk.pauseCredit", paused: true });
    expect(await read("borrowingPaused")).toBe(true);
    expect(String(await rejection(() => poolCall(fx.borrower, "borrow", usdc(1))))).toContain(
      "BorrowingIsPaused",
    );
    const state = await a.snapshot();
    expect(state.liquidity[0]!.net).toBe(0n);
    expect(state.risk.borrowingPaused).toBe(1);
    // Repaying and withdrawing go on.
    await poolCall(fx.borrower, "repay", usdc(1000));
    await poolCall(fx.lender, "withdraw", usdc(1000));

    await a.apply({ type: "derisk.pauseCredit", paused: false });
    await poolCall(fx.borrower, "borrow", usdc(1000));
    // cash 1.29M + 1k - 1k - 1k, buffer 10% of 1.499M.
    expect((await a.snapshot()).liquidity[0]!.net).toBe(usdc(1_289_000 - 149_900));
  });

  it("derisk.tighten lowers the pool's LTV, and borrowers feel it", async () => {
    const a = adapter();
    await a.apply({ type: "derisk.tighten", bps: 2000 });
    expect(await read("ltvBps")).toBe(6000);
    expect((await a.snapshot()).risk.ltvBps).toBe(6000);
    // 100 WETH at 3000 at 60% = 180k, and the borrower owes 200k.
    const limit = await treasury.clients.public.readContract({
      address: pool,
      abi: simpleLendingPoolAbi,
      functionName: "borrowLimit",
      args: [fx.borrower.address],
    });
    expect(limit).toBe(usdc(180_000));
    expect(String(await rejection(() => poolCall(fx.borrower, "borrow", usdc(1))))).toContain(
      "ExceedsBorrowLimit",
    );
    await a.apply({ type: "derisk.tighten", bps: 9000 });
    expect(await read("ltvBps")).toBe(0);
  });

  it("derisk(stance) lowers LTV by the level's step, pauses at the top level, and level 0 restores both", async () => {
    const a = adapter();
    await a.derisk({ level: 2 });
    await a.derisk({ level: 2 });
    expect(await read("ltvBps")).toBe(8000 - 500);
    expect(await read("borrowingPaused")).toBe(false);
    await a.derisk({ level: 3 });
    expect(await read("ltvBps")).toBe(8000 - 1000);
    expect(await read("borrowingPaused")).toBe(true);
    await a.derisk({ level: 0 });
    expect(await read("ltvBps")).toBe(8000);
    expect(await read("borrowingPaused")).toBe(false);
  });

  it("refuses a tighten outside 0-10000 bps without touching the chain", async () => {
    const error = await rejection(() => adapter().apply({ type: "derisk.tighten", bps: -5 }));
    expect(error).toBeInstanceOf(EvmAdapterInvalidActionError);
    expect((error as EvmAdapterInvalidActionError).field).toBe("bps");
    expect(await read("ltvBps")).toBe(8000);
  });

  it("names the revert when the adapter's account does not own the pool", async () => {
    const error = await rejection(() =>
      adapter(fx.stranger.clients).apply({ type: "derisk.pauseCredit", paused: true }),
    );
    expect(error).toBeInstanceOf(EvmAdapterWriteError);
    expect((error as EvmAdapterWriteError).errorName).toBe("OwnableUnauthorizedAccount");
    expect((error as EvmAdapterWriteError).functionName).toBe("pauseBorrowing");
    expect(await read("borrowingPaused")).toBe(false);
  });
});
