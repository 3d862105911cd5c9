/**
 * Margined loans through the TypeScript client on a real anvil: the oracle and test feeds deployed,
 * a margined agreement settled, prices moved, and each refusal decoded into its typed error.
 */
import type { Address, Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Agreement } from "../core/agreement.ts";
import { type ArbiterFixture, balanceOf, rejection, settleSample, useAnvil } from "../test/harness/anvil.ts";
import { getLoan } from "./get-loan.ts";
import { getLoanHealth, HEALTH_ONE } from "./get-loan-health.ts";
import { liquidate } from "./liquidate.ts";
import {
  ArbiterHealthyLoanError,
  ArbiterLiquidationMustCloseError,
  ArbiterNotMarginedError,
  ArbiterPriceOutOfBoundsError,
  ArbiterRepayAboveCloseFactorError,
  ArbiterStalePriceError,
  ArbiterThresholdBelowOpeningLtvError,
} from "./margin-errors.ts";
import { deployMarginOracle, setMarginOracle, setPriceFeed } from "./margin-oracle.ts";
import { deployTestPriceFeed, setTestPrice } from "./test-price-feed.ts";
import { topUp } from "./top-up.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let wethFeed: Address;
let usdcFeed: Address;
let snap: Hex;

const USD = 10n ** 8n;
const margin = { liquidationThresholdBps: 8_000, liquidationBonusBps: 500, tighteningPerLevelBps: 500 };

beforeAll(async () => {
  fx = await chain.deployFixture();
  const clients = fx.deployer.clients;
  const { address: oracle } = await deployMarginOracle({ clients });
  ({ address: usdcFeed } = await deployTestPriceFeed({
    clients,
    decimals: 8,
    description: "USDC / USD",
    answer: USD,
  }));
  ({ address: wethFeed } = await deployTestPriceFeed({
    clients,
    decimals: 8,
    description: "ETH / USD",
    answer: 3_000n * USD,
  }));
  await setPriceFeed({
    clients,
    oracle,
    token: fx.usdc,
    feed: usdcFeed,
    maxAge: 3600,
    minAnswer: USD / 2n,
    maxAnswer: 2n * USD,
  });
  await setPriceFeed({
    clients,
    oracle,
    token: fx.weth,
    feed: wethFeed,
    maxAge: 3600,
    minAnswer: 10n * USD,
    maxAnswer: 1_000_000n * USD,
  });
  await setMarginOracle({ clients, arbiter: fx.arbiter, oracle });
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

const setWeth = (price: bigint) =>
  setTestPrice({ clients: fx.deployer.clients, feed: wethFeed, answer: price * USD });
const health = (agreement: Agreement) =>
  getLoanHealth({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement });

describe("margined loans through the client", () => {
  test("a healthy loan is refused with its health; below 1 a keeper liquidates the close factor", async () => {
    const { agreement: a, id } = await settleSample(chain, fx, margin);
    const opening = await health(a);
    expect(opening.liquidatable).toBe(false);
    expect(opening.thresholdBps).toBe(8_000);
    const refused = await rejection(() =>
      liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(refused).toBeInstanceOf(ArbiterHealthyLoanError);
    expect((refused as ArbiterHealthyLoanError).health).toBe(opening.health);
    expect((refused as Error).message).toMatch(/healthy \(health 1\.19\d\d >= 1\)/);

    await setWeth(2_450n);
    const before = await health(a);
    expect(before.liquidatable).toBe(true);
    const half = (before.owed + 1n) / 2n;
    const tooMuch = await rejection(() =>
      liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a, repayAmount: half + 1n }),
    );
    expect(tooMuch).toBeInstanceOf(ArbiterRepayAboveCloseFactorError);
    expect((tooMuch as ArbiterRepayAboveCloseFactorError).maxRepay).toBe(half);

    const lenderUsdc = await balanceOf(fx, fx.usdc, fx.lender.address);
    const result = await liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a });
    expect(result.repaid).toBe(half);
    expect(result.healthBefore).toBe(before.health);
    expect(await balanceOf(fx, fx.usdc, fx.lender.address)).toBe(lenderUsdc + half);
    const after = await health(a);
    expect(after.escrowed).toBe(a.collateral - result.seized);
    expect(after.health).toBeGreaterThanOrEqual(before.health);
    const loan = await getLoan({ clients: fx.stranger.clients, arbiter: fx.arbiter, id, agreement: a });
    expect(loan).toMatchObject({ status: "Active", escrowed: after.escrowed, outstanding: after.owed });
  });

  test("a top-up restores health; stale and out-of-band prices stop liquidations", async () => {
    const { agreement: a } = await settleSample(chain, fx, margin);
    await setWeth(2_450n);
    await topUp({
      clients: fx.borrower.clients,
      arbiter: fx.arbiter,
      agreement: a,
      amount: 100n * 10n ** 18n,
    });
    const h = await health(a);
    expect(h.health).toBeGreaterThanOrEqual(HEALTH_ONE);
    expect(h.escrowed).toBe(a.collateral + 100n * 10n ** 18n);

    await setWeth(5n); // below the $10 sanity floor: an aggregator spike
    const spike = await rejection(() =>
      liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(spike).toBeInstanceOf(ArbiterPriceOutOfBoundsError);
    expect((spike as ArbiterPriceOutOfBoundsError).token).toBe(fx.weth);

    await setWeth(1_000n);
    await chain.increaseTime(3_601);
    const stale = await rejection(() =>
      liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(stale).toBeInstanceOf(ArbiterStalePriceError);
    expect((stale as Error).message).toMatch(/older than 3600 s/);
    await expect(health(a)).rejects.toBeInstanceOf(ArbiterStalePriceError);
  });

  test("underwater: a partial liquidation is refused with the amount that closes it", async () => {
    const { agreement: a } = await settleSample(chain, fx, margin);
    await setWeth(2_000n);
    const partial = await rejection(() =>
      liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a, repayAmount: 10n ** 11n }),
    );
    expect(partial).toBeInstanceOf(ArbiterLiquidationMustCloseError);
    const required = (partial as ArbiterLiquidationMustCloseError).required;
    const result = await liquidate({
      clients: fx.stranger.clients,
      arbiter: fx.arbiter,
      agreement: a,
      repayAmount: required,
    });
    expect(result.seized).toBe(a.collateral);
    expect(result.escrowed).toBe(0n);
  });

  test("opening above the threshold and liquidating an unmargined loan are typed errors", async () => {
    const low = await rejection(() => settleSample(chain, fx, { ...margin, liquidationThresholdBps: 6_000 }));
    expect(low).toBeInstanceOf(ArbiterThresholdBelowOpeningLtvError);
    expect((low as ArbiterThresholdBelowOpeningLtvError).ltvBps).toBe(6_695n);
    expect((low as Error).message).toMatch(/66.95 % loan-to-value/);
    const { agreement: plain } = await settleSample(chain, fx, { nonce: 5n });
    const err = await rejection(() =>
      liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: plain }),
    );
    expect(err).toBeInstanceOf(ArbiterNotMarginedError);
  });
});
