import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
import type { EnginePolicy } from "./engine-policy.ts";
import { dutchAuction, englishAuction, fixedSpreadLiquidation } from "./lending-liquidation.ts";
import { runEngine } from "./run-engine.ts";
import { oneBorrower, TEST_ASSUMPTION, zeroRates } from "./testing/fixtures.ts";
import type { World } from "./world.ts";

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const usd8 = (usd: number) => BigInt(Math.round(usd * 1e8));

/** A USDC debt against ETH collateral at $2000, LT 0.8, bonus 5%, Aave v3 close factors. */
const aave = (collateralEth: bigint, debtUsdc: bigint) => ({
  debt: debtUsdc,
  collateral: collateralEth,
  debtPriceUsd8: usd8(1),
  collateralPriceUsd8: usd8(2000),
  debtScale: E6,
  collateralScale: E18,
  thresholdBps: 8000n,
  bonusBps: 500n,
  closeFactorBps: 5000n,
  fullCloseBelowHealthBps: 9500n,
});

describe("Aave v3 fixed-spread liquidation, by hand", () => {
  it("repays half the debt at a health factor of 0.97", () => {
    // 6.0625 ETH x $2000 x 0.8 = $9,700 against $10,000 of debt: health factor 0.97 >= 0.95.
    // Repay 5,000 USDC; seize 5,000 x 1.05 / 2000 = 2.625 ETH.
    const r = fixedSpreadLiquidation(aave(6_062_500_000_000_000_000n, 10_000n * E6));
    expect(r).toEqual({ repay: 5_000n * E6, seize: 2_625_000_000_000_000_000n, fullClose: false });
  });

  it("repays all of it below 0.95", () => {
    // 5.625 ETH -> health factor 0.90: repay 10,000 USDC, seize 10,500 / 2000 = 5.25 ETH.
    const r = fixedSpreadLiquidation(aave(5_625_000_000_000_000_000n, 10_000n * E6));
    expect(r).toEqual({ repay: 10_000n * E6, seize: 5_250_000_000_000_000_000n, fullClose: true });
  });

  it("takes all the collateral when it does not cover debt plus bonus, leaving bad debt", () => {
    // 5 ETH = $10,000 < $10,500: all 5 ETH for 10,000 / 1.05 = 9,523.809523 USDC; 476.190477 left.
    const r = fixedSpreadLiquidation(aave(5n * E18, 10_000n * E6));
    expect(r).toEqual({ repay: 9_523_809_523n, seize: 5n * E18, fullClose: true });
  });

  it("keeps the 50% close factor at every health factor without the v3 threshold (Aave v2)", () => {
    const r = fixedSpreadLiquidation({
      ...aave(5_625_000_000_000_000_000n, 10_000n * E6),
      fullCloseBelowHealthBps: 0n,
    });
    expect(r.repay).toBe(5_000n * E6);
    expect(r.fullClose).toBe(false);
  });
});

describe("Maker auctions sell the debt plus penalty, not all the collateral", () => {
  /** 10,000 DAI of debt against 10 ETH, oracle and market $1500, 13% penalty, keepers want 2%. */
  const maker = (late: boolean) => ({
    debt: 10_000n * E18,
    collateral: 10n * E18,
    penaltyBps: 1300n,
    debtScale: E18,
    collateralScale: E18,
    oracleCollateralUsd8: usd8(1500),
    oracleDebtUsd8: usd8(1),
    marketCollateralUsd8: usd8(1500),
    marketDebtUsd8: usd8(1),
    keeperMarginPpm: 20_000n,
    late,
  });

  it("Clipper: keepers take at 2% below the market; 11,300 DAI buys 7.687 ETH, the rest goes back", () => {
    // The price starts at 1.2 x 1500 = 1800 and falls until keepers take it at 1500 x 0.98 = 1470.
    const r = dutchAuction({ ...maker(false), startBufferPpm: 1_200_000n, endShareOfStartPpm: 670_000n });
    expect(r.price).toBe(1470n * E18);
    expect(r.raised).toBe(11_300n * E18);
    // ceil(11,300 / 1,470 ETH) in wei.
    expect(r.sold).toBe((11_300n * E18 * E18 + 1470n * E18 - 1n) / (1470n * E18));
    expect(10n * E18 - r.sold).toBeGreaterThan(2n * E18);
  });

  it("Clipper under congestion: late keepers pay the decayed price and take more collateral", () => {
    // One hour at 33% decay: 1800 x 0.67 = 1206 DAI per ETH; 11,300 / 1206 = 9.37 ETH.
    const r = dutchAuction({ ...maker(true), startBufferPpm: 1_200_000n, endShareOfStartPpm: 670_000n });
    expect(r.price).toBe(1206n * E18);
    expect(r.raised).toBe(11_300n * E18);
    expect(r.sold).toBe((11_300n * E18 * E18 + 1206n * E18 - 1n) / (1206n * E18));
  });

  it("Flip: a bid at the market less the margin, or, when no keeper comes, all of it for zero", () => {
    expect(englishAuction(maker(false))).toMatchObject({ price: 1470n * E18, raised: 11_300n * E18 });
    expect(englishAuction(maker(true))).toEqual({ sold: 10n * E18, raised: 0n, price: 0n });
  });

  it("in the engine: a Maker vault keeps the collateral the auction did not need; the penalty is surplus", async () => {
    // One vault: 100 ETH at $2000 against 100,000 DAI (health factor 1.6 at LT 0.8); ETH -40%.
    const json = oneBorrower({
      assets: [
        { symbol: "ETH", decimals: 18, priceUsd: 2000, path: { model: "constant" } },
        { symbol: "DAI", decimals: 18, priceUsd: 1, path: { model: "constant" } },
      ],
      shocks: [{ asset: "ETH", atHours: 1, magnitude: -0.4 }],
      protocols: [
        {
          id: "maker",
          kind: "lending",
          label: "Maker",
          reserves: [
            {
              asset: "ETH",
              supplied: "100",
              borrowed: "0",
              collateral: { ltv: 0.8, liquidationThreshold: 0.8, liquidationBonus: 0.13 },
            },
            { asset: "DAI", supplied: "0", borrowed: "100000", minted: true },
          ],
          closeFactor: 1,
          liquidation: {
            mechanism: "auction",
            style: "dutch",
            durationHours: 1,
            startBuffer: 1.2,
            priceDecayPerHour: 0.33,
          },
          initialHealthFactor: { mean: 1.6, std: 0 },
          assumption: TEST_ASSUMPTION,
        },
      ],
    });
    let world: World | undefined;
    const watch: EnginePolicy = {
      name: "watch",
      onStep: (ctx) => {
        world = ctx.world;
      },
    };
    const r = await runEngine({
      scenario: parseScenario(json),
      options: { positionsPerLending: 1, rateModel: zeroRates },
      policy: watch,
    });
    // At $1200 the vault (100 ETH, $120,000) is below 100,000 / 0.8. The auction starts at
    // 1.2 x 1200 = 1440 and keepers take it at 1200 x 0.98 = 1176 DAI per ETH: the tab of 113,000
    // DAI (debt plus the 13% penalty) buys 96.09 ETH; 3.91 ETH stay with the vault's owner.
    expect(r.totals.liquidations).toBe(1);
    expect(r.totals.badDebtUsd8).toBe(0n);
    const lending = world!.lending;
    expect(lending.positionActive[0]).toBe(0);
    const sold = (113_000n * E18 * E18 + 1176n * E18 - 1n) / (1176n * E18);
    expect(lending.supplied[0]).toBe(100n * E18 - sold);
    expect(lending.posted[0]).toBe(0n);
    // The 13,000 DAI penalty went to the protocol's surplus: its treasury (1% of $300,000 of
    // deposits and issued DAI at the start) grows from $3,000 to $16,000.
    expect(lending.treasuryUsd8[0]).toBe(16_000n * 10n ** 8n);
  });
});

describe("liquidators: gas and capital", () => {
  const withLiquidators = (liquidators: ScenarioJson["liquidators"]) =>
    parseScenario(oneBorrower({ liquidators }));

  it("a liquidation that does not pay for its gas does not happen", async () => {
    // The liquidator would earn 100 ETH x $1000 - 95,238 USDC = $4,762; gas costs $5,000.
    const expensive = await runEngine({
      scenario: withLiquidators({
        capitalUsdPerHour: 1e9,
        gasUsd: 5_000,
        gasUsdCongested: 5_000,
        congestionAtHourlyMove: 0.1,
        assumption: TEST_ASSUMPTION,
      }),
      options: { positionsPerLending: 1, rateModel: zeroRates },
    });
    expect(expensive.totals.liquidations).toBe(0);
    expect(expensive.totals.liquidationsSkippedForGas).toBeGreaterThan(0);
    const cheap = await runEngine({
      scenario: withLiquidators({
        capitalUsdPerHour: 1e9,
        gasUsd: 4_000,
        gasUsdCongested: 4_000,
        congestionAtHourlyMove: 0.1,
        assumption: TEST_ASSUMPTION,
      }),
      options: { positionsPerLending: 1, rateModel: zeroRates },
    });
    expect(cheap.totals.liquidations).toBe(1);
  });

  it("liquidators repay at most their capital per step; the rest waits for the next step", async () => {
    // $40,000 an hour against a 100,000 USDC position in full close: three steps to clear it.
    const r = await runEngine({
      scenario: parseScenario(
        oneBorrower({
          time: { horizonHours: 6, stepHours: 1 },
          liquidators: {
            capitalUsdPerHour: 40_000,
            gasUsd: 1,
            gasUsdCongested: 1,
            congestionAtHourlyMove: 0.1,
            assumption: TEST_ASSUMPTION,
          },
        }),
      ),
      options: { positionsPerLending: 1, rateModel: zeroRates },
    });
    expect(r.series.liquidationUsd[1]).toBeCloseTo(40_000, 0);
    expect(r.series.liquidationUsd[2]).toBeGreaterThan(0);
    expect(r.totals.liquidationsSkippedForCapital).toBeGreaterThan(0);
    // Same outcome in the end: all the collateral is gone and the shortfall is bad debt.
    expect(r.totals.badDebtUsd8).toBeGreaterThan(0n);
  });
});

describe("Aave v3 e-mode", () => {
  it("positions whose collateral and debt are in a category borrow and are liquidated with its parameters", async () => {
    const json: ScenarioJson = {
      ...oneBorrower(),
      assets: [
        { symbol: "stETH", decimals: 18, priceUsd: 2000, path: { model: "constant" } },
        { symbol: "ETH", decimals: 18, priceUsd: 2000, path: { model: "constant" } },
      ],
      shocks: [{ asset: "stETH", atHours: 1, magnitude: -0.1 }],
      protocols: [
        {
          id: "aave",
          kind: "lending",
          label: "Aave v3",
          reserves: [
            {
              asset: "stETH",
              supplied: "1000",
              borrowed: "0",
              collateral: { ltv: 0.7, liquidationThreshold: 0.8, liquidationBonus: 0.07 },
            },
            { asset: "ETH", supplied: "2000", borrowed: "500" },
          ],
          closeFactor: 0.5,
          liquidation: { mechanism: "fixed-spread", fullCloseBelowHealthFactor: 0.95 },
          initialHealthFactor: { mean: 1.05, std: 0 },
          emode: [
            {
              id: "eth-correlated",
              assets: ["ETH", "stETH"],
              ltv: 0.9,
              liquidationThreshold: 0.93,
              liquidationBonus: 0.01,
              share: 1,
              assumption: TEST_ASSUMPTION,
            },
          ],
          assumption: TEST_ASSUMPTION,
        },
      ],
      outsideMarkets: [{ asset: "stETH", depthUsd: 1e15, assumption: TEST_ASSUMPTION }],
    };
    let world: World | undefined;
    const r = await runEngine({
      scenario: parseScenario(json),
      options: { positionsPerLending: 1, rateModel: zeroRates },
      policy: {
        name: "watch",
        onStep: (ctx) => {
          world = ctx.world;
        },
      },
    });
    const lending = world!.lending;
    expect(lending.positionEmode[0]).toBe(0);
    expect(lending.positionThresholdBps[0]).toBe(9300);
    expect(lending.positionBonusBps[0]).toBe(100);
    // Health factor 1.05 at the category's 0.93: 500 ETH of debt, 500 x 1.05 / 0.93 = 564.5 stETH.
    // stETH -10%: health factor 0.945 < 0.95, so the whole debt is repaid with a 1% bonus:
    // 500 ETH x $2000 x 1.01 / $1800 = 561.11 stETH seized.
    expect(r.totals.liquidations).toBe(1);
    expect(r.totals.badDebtUsd8).toBe(0n);
    const posted = (500n * E18 * 105n * 10_000n) / (100n * 9300n);
    const seized = (500n * E18 * usd8(2000) * 10_100n) / (usd8(1800) * 10_000n);
    expect(lending.supplied[0]).toBe(1000n * E18 - seized);
    expect(posted - seized).toBeGreaterThan(0n);
  });
});
