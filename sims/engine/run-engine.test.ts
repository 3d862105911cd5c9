import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTimeDependentStrategy } from "../../negotiation/strategies/time-dependent.ts";
import { loadScenario, parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
import { bargain, createBuiltinPolicy } from "./builtin-policy.ts";
import { runEngine } from "./run-engine.ts";

const zeroRates = { baseBps: 0, slope1Bps: 0, slope2Bps: 0, kinkBps: 8000, reserveFactorBps: 0 };

/** One borrower: 100 ETH at $2000 against 100,000 USDC, health factor 1.6 (LT 0.8); ETH halves at hour 1. */
function oneBorrower(extra: Partial<ScenarioJson> = {}): ScenarioJson {
  return {
    v: 1,
    name: "one-borrower",
    title: "One borrower, one crash",
    kind: "synthetic",
    source: "hand-made test scenario",
    notes: "numbers chosen to be checked by hand",
    time: { horizonHours: 3, stepHours: 1 },
    assets: [
      { symbol: "ETH", decimals: 18, priceUsd: 2000, path: { model: "constant" } },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
    shocks: [{ asset: "ETH", atHours: 1, magnitude: -0.5 }],
    protocols: [
      {
        id: "lender",
        kind: "lending",
        label: "Lender",
        reserves: [
          {
            asset: "ETH",
            supplied: "100",
            borrowed: "0",
            collateral: { ltv: 0.75, liquidationThreshold: 0.8, liquidationBonus: 0.05 },
          },
          { asset: "USDC", supplied: "1000000", borrowed: "100000" },
        ],
        closeFactor: 0.5,
        liquidation: { mechanism: "fixed-spread" },
        initialHealthFactor: { mean: 1.6, std: 0 },
      },
    ],
    ...extra,
  };
}

const engineOptions = { positionsPerLending: 1, rateModel: zeroRates };

describe("engine: a liquidation checked by hand", () => {
  it("closes out an underwater position and books the bad debt exactly", async () => {
    const r = await runEngine({ scenario: parseScenario(oneBorrower()), options: engineOptions });
    // Collateral 1.6 * 100,000 / 0.8 = $200,000 = 100 ETH. At $1000 it is worth $100,000, less than
    // debt plus bonus ($105,000), so the whole position goes: all 100 ETH are seized for
    // 100,000 / 1.05 = 95,238.095238 USDC of debt; 4,761.904762 USDC is left without collateral.
    expect(r.totals.liquidations).toBe(1);
    expect(r.totals.badDebtUsd8).toBe(476_190_476_200n);
    expect(r.totals.liquidationUsd8).toBe(10_000_000_000_000n); // the whole 100,000 USDC of debt
    // Treasury 1% of deposits ($1.2M): $12,000 absorbs the loss; the lender stays solvent.
    expect(r.totals.insolvencies).toBe(0);
    expect(r.end[0]!.equityUsd8).toBe(1_200_000_000_000n - 476_190_476_200n);
    expect(r.series.badDebtUsd[1]).toBeCloseTo(4761.904762, 6);
  });

  it("a liquidation sold into a pool pushes the price below its path, and arbitrage pulls it back", async () => {
    const scenario = parseScenario(
      oneBorrower({
        time: { horizonHours: 4, stepHours: 1 },
        protocols: [
          ...oneBorrower().protocols!,
          {
            id: "dex",
            kind: "amm",
            label: "DEX",
            pools: [
              {
                id: "eth-usdc",
                curve: "constant-product",
                reserves: [
                  { asset: "ETH", amount: "1000" },
                  { asset: "USDC", amount: "2000000" },
                ],
                fee: 0,
              },
            ],
          },
        ],
      }),
    );
    const r = await runEngine({
      scenario,
      options: { ...engineOptions, venueShareOfSales: 1, arbitrageRecoveryPerHour: 0.5 },
    });
    // At $1000 the pool holds ~1414 ETH; selling 100 ETH moves the price to (1414 / 1514)^2 of itself.
    const x = Math.sqrt(2_000_000_000 / 1000);
    const factor = (x / (x + 100)) ** 2;
    expect(r.series.prices[0]![1]).toBeCloseTo(1000 * factor, 2);
    // Half of the dislocation is gone an hour later, three quarters after two.
    expect(r.series.prices[0]![2]).toBeCloseTo(1000 * (1 - (1 - factor) * 0.5), 2);
    expect(r.series.prices[0]![3]).toBeCloseTo(1000 * (1 - (1 - factor) * 0.25), 2);
  });
});

describe("engine: determinism and modes", () => {
  const demo = loadScenario(fileURLToPath(new URL("./scenarios/contagion-demo.json", import.meta.url)));

  it("gives the same result for the same seed and a different one for another", async () => {
    const synthetic = loadScenario("synthetic-shock");
    const a = await runEngine({ scenario: synthetic, seed: 3, options: { positionsPerLending: 100 } });
    const b = await runEngine({ scenario: synthetic, seed: 3, options: { positionsPerLending: 100 } });
    const c = await runEngine({ scenario: synthetic, seed: 4, options: { positionsPerLending: 100 } });
    expect(b.totals).toEqual(a.totals);
    expect(b.series.prices[0]).toEqual(a.series.prices[0]);
    expect(c.series.prices[0]).not.toEqual(a.series.prices[0]);
  });

  it("without agents the fund fire-sells stETH; with negotiation it borrows against it instead", async () => {
    const off = await runEngine({ scenario: demo });
    const on = await runEngine({
      scenario: demo,
      policy: createBuiltinPolicy({ negotiation: true, derisking: false }),
    });
    expect(off.totals.fireSaleUsd8).toBeGreaterThan(0n);
    expect(off.totals.loans).toBe(0);
    expect(on.totals.loans).toBeGreaterThan(0);
    expect(on.totals.fireSaleUsd8).toBe(0n);
    expect(on.totals.insolventDebtUsd8).toBeLessThan(off.totals.insolventDebtUsd8);
    const loan = on.events.find((e) => e.type === "loan");
    expect(loan).toMatchObject({ lender: "lender", borrower: "fund", asset: "ETH" });
  });

  it("de-risking raises an alert by quorum and tightens every protocol once per level", async () => {
    const r = await runEngine({
      scenario: demo,
      policy: createBuiltinPolicy({ negotiation: false, derisking: true }),
    });
    const alerts = r.events.filter((e) => e.type === "alert");
    expect(alerts.map((e) => (e.type === "alert" ? e.level : 0))).toEqual([1, 2]);
    expect(r.events.filter((e) => e.type === "derisk")).toHaveLength(2 * 4); // the DEX has nothing to tighten
  });
});

describe("bargain (in-process alternating offers)", () => {
  const template = {
    principal: 1000n,
    tenor: 3600,
    collateralToken: "0x0000000000000000000000000000000000000001" as const,
    collateral: 10n,
    haircutBps: 2000,
  };
  it("meets between the lender's floor and the borrower's cap, lender first", () => {
    const lender = createTimeDependentStrategy({
      side: "lender",
      openingRateBps: 1000,
      reservationRateBps: 200,
      exponent: 1,
      template,
    });
    const borrower = createTimeDependentStrategy({
      side: "borrower",
      openingRateBps: 100,
      reservationRateBps: 900,
      exponent: 1,
      template,
    });
    // maxRounds 4: lender 1000, 733, 467, 200 ; borrower 100, 367, 633, 900.
    // L1000 B100 L733 B367 L467 -> borrower accepts 467 (no worse than its next offer 633).
    const deal = bargain(lender, borrower, 4);
    expect(deal?.terms.rateBps).toBe(467);
    expect(deal?.rounds).toBe(5);
  });
  it("fails when the floor is above the cap", () => {
    const lender = createTimeDependentStrategy({
      side: "lender",
      openingRateBps: 1000,
      reservationRateBps: 800,
      exponent: 1,
      template,
    });
    const borrower = createTimeDependentStrategy({
      side: "borrower",
      openingRateBps: 100,
      reservationRateBps: 500,
      exponent: 1,
      template,
    });
    expect(bargain(lender, borrower, 4)).toBeUndefined();
  });
});
