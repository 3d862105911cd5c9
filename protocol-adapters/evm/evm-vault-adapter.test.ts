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
import { deployTestVault } from "./deploy-test-vault.ts";
import { EvmAdapterInvalidActionError } from "./errors.ts";
import { EvmVaultAdapter } from "./evm-vault-adapter.ts";
import { testVaultAbi } from "./generated/TestVault.ts";

const usdc = (n: number) => BigInt(n) * 10n ** 6n;
const burn: Address = "0x000000000000000000000000000000000000dEaD";

let chain: AnvilHarness;
let fx: ArbiterFixture;
let vault: Address;
let treasury: Party;
let snap: Hex;

async function deposit(party: Party, assets: bigint): Promise<void> {
  const hash = await party.clients.wallet.writeContract({
    address: vault,
    abi: testVaultAbi,
    functionName: "deposit",
    args: [assets, party.address],
  });
  const receipt = await party.clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error("deposit reverted");
}

function adapter(): EvmVaultAdapter {
  return new EvmVaultAdapter({
    protocolId: "evm-vault",
    clients: treasury.clients,
    vault,
    bufferBps: 2000,
    opportunityRateBps: 450,
    shortfallCostBps: 3000,
    assetPriceUsd8: async () => 100_000_000n,
  });
}

/** OpenZeppelin ERC4626 (no decimals offset): assets one share redeems for. */
const assetsPerShare = (totalAssets: bigint, supply: bigint) =>
  (usdc(1) * (totalAssets + 1n)) / (supply + 1n);

beforeAll(async () => {
  chain = await useAnvil();
  fx = await chain.deployFixture({ approve: false });
  treasury = fx.deployer;
  ({ address: vault } = await deployTestVault({
    clients: treasury.clients,
    asset: fx.usdc,
    name: "Vault USDC",
    symbol: "vUSDC",
  }));
  await mintTestToken({
    clients: treasury.clients,
    token: fx.usdc,
    to: treasury.address,
    amount: usdc(1_000_000),
  });
  for (const p of [treasury, fx.lender, fx.stranger]) {
    await approve({ clients: p.clients, token: fx.usdc, spender: vault, amount: maxUint256 });
  }
  await deposit(fx.lender, usdc(600_000));
  await deposit(fx.stranger, usdc(400_000));
  await deposit(treasury, usdc(100_000));
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("EvmVaultAdapter.snapshot", () => {
  it("reports total assets, share price and the treasury's balances exactly", async () => {
    const state = await adapter().snapshot();
    // 1.1M assets and shares; buffer 20% = 220k; treasury holds 900k USDC and 100k shares.
    expect(state).toEqual({
      v: 0,
      protocolId: "evm-vault",
      kind: "vault",
      timestamp: Number(await chain.now()),
      liquidity: [{ token: fx.usdc, symbol: "USDC", decimals: 6, liquid: usdc(900_000), net: usdc(880_000) }],
      pledgeable: [{ token: vault, amount: usdc(100_000) }],
      prices: [
        { token: fx.usdc, usd8: 100_000_000n },
        { token: vault, usd8: 100_000_000n },
      ],
      opportunityRateBps: 450,
      shortfallCostBps: 3000,
      risk: { sharePriceBps: 10_000, bufferBps: 2000, depositsCapped: 0, creditPaused: 0 },
    });
    expect(ProtocolStateSchema.parse(JSON.parse(toJson(state)))).toEqual(state);
  });

  it("shows a loss in the vault as a lower share price and less surplus", async () => {
    const hash = await treasury.clients.wallet.writeContract({
      address: vault,
      abi: testVaultAbi,
      functionName: "simulateLoss",
      args: [burn, usdc(110_000)],
    });
    await treasury.clients.public.waitForTransactionReceipt({ hash });
    const state = await adapter().snapshot();
    const perShare = assetsPerShare(usdc(990_000), usdc(1_100_000));
    expect(perShare).toBe(900_000n);
    expect(state.risk.sharePriceBps).toBe(9000);
    expect(state.prices[1]).toEqual({ token: vault, usd8: 90_000_000n });
    // idle 990k - 20% buffer of 990k.
    expect(state.liquidity[0]!.net).toBe(usdc(792_000));
  });

  it("shows a gain (assets sent in) as a higher share price", async () => {
    await mintTestToken({ clients: treasury.clients, token: fx.usdc, to: vault, amount: usdc(220_000) });
    const state = await adapter().snapshot();
    expect(assetsPerShare(usdc(1_320_000), usdc(1_100_000))).toBe(1_199_999n); // rounded down
    expect(state.risk.sharePriceBps).toBe(11_999);
  });

  it("lists no prices when it has no oracle", async () => {
    const blind = new EvmVaultAdapter({
      protocolId: "evm-vault",
      clients: treasury.clients,
      vault,
      bufferBps: 2000,
      opportunityRateBps: 450,
      shortfallCostBps: 3000,
    });
    const state = await blind.snapshot();
    expect(state.prices).toEqual([]);
    expect(ProtocolStateSchema.parse(JSON.parse(toJson(state)))).toEqual(state);
  });

  it("counts loans once per agreement until repaid", async () => {
    const a = adapter();
    const lent = {
      type: "loan.lent",
      agreementId: `0x${"ab".repeat(32)}`,
      token: fx.usdc,
      principal: usdc(300_000),
      amountDue: usdc(301_000),
    } as const;
    await a.apply(lent);
    await a.apply(lent);
    expect((await a.snapshot()).liquidity[0]!.net).toBe(usdc(580_000));
    await a.apply({ ...lent, type: "loan.repaid", role: "lender", collateralToken: fx.weth, collateral: 1n });
    expect((await a.snapshot()).liquidity[0]!.net).toBe(usdc(880_000));
  });
});

describe("EvmVaultAdapter.apply (de-risking)", () => {
  const cap = () =>
    treasury.clients.public.readContract({ address: vault, abi: testVaultAbi, functionName: "depositCap" });

  it("derisk.tighten caps the vault below its size on chain, and deposits revert", async () => {
    const a = adapter();
    await a.apply({ type: "derisk.tighten", bps: 1000 });
    expect(await cap()).toBe(usdc(990_000));
    expect((await a.snapshot()).risk.depositsCapped).toBe(1);
    expect(String(await rejection(() => deposit(fx.lender, usdc(1))))).toContain("ERC4626ExceededMaxDeposit");
    // A second tighten compounds on the cap.
    await a.apply({ type: "derisk.tighten", bps: 1000 });
    expect(await cap()).toBe(usdc(891_000));
  });

  it("derisk.pauseCredit stops the adapter offering surplus, and lifting it restores it", async () => {
    const a = adapter();
    await a.apply({ type: "derisk.pauseCredit", paused: true });
    const paused = await a.snapshot();
    expect(paused.liquidity[0]!.net).toBe(0n);
    expect(paused.risk.creditPaused).toBe(1);
    await a.apply({ type: "derisk.pauseCredit", paused: false });
    expect((await a.snapshot()).liquidity[0]!.net).toBe(usdc(880_000));
  });

  it("refuses a tighten above 100%", async () => {
    const error = await rejection(() => adapter().apply({ type: "derisk.tighten", bps: 10_001 }));
    expect(error).toBeInstanceOf(EvmAdapterInvalidActionError);
    expect(await cap()).toBe(maxUint256);
  });
});
