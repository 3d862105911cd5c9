/**
 * The backtest computes every simulated figure from real engine runs and every ratio from those
 * figures and the shipped reported outcomes; nothing in the table is typed in.
 */
import { describe, expect, it } from "vitest";
import { runEngine } from "../engine/run-engine.ts";
import { backtestRatio } from "../report/backtest.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { BACKTESTED_SCENARIOS } from "./comparisons.ts";
import { BacktestError } from "./errors.ts";
import { BACKTEST_POSITIONS_PER_LENDING, runBacktest } from "./run-backtest.ts";
import { loadShippedOutcomes } from "./shipped-outcomes.ts";

const outcomes = loadShippedOutcomes();

describe("runBacktest", () => {
  it("reads Aave v2's WETH-market liquidations on 19 May 2021 from the runs and divides by the shipped figure", async () => {
    const seeds = [1, 2];
    const { table } = await runBacktest({ scenario: "may-2021-deleveraging", seeds, outcomes });
    const i = table.rows.findIndex((r) => r.quantity.startsWith("Aave v2 WETH-collateral liquidations"));
    expect(i).toBeGreaterThanOrEqual(0);

    // The same quantity, recomputed here from independent runs of the engine.
    const scenario = withPricePaths({ scenario: loadScenario("may-2021-deleveraging"), paths: "replay" });
    const direct: number[] = [];
    for (const seed of seeds) {
      const run = await runEngine({
        scenario,
        seed,
        options: { positionsPerLending: BACKTEST_POSITIONS_PER_LENDING },
      });
      const market = run.liquidationsByMarket.find((m) => m.protocol === "aave-v2" && m.collateral === "ETH");
      direct.push(market?.days[0]?.collateralUsd ?? 0);
    }
    expect(table.perSeed?.[i]).toEqual(direct);
    expect(direct[0]).toBeGreaterThan(0);
    expect(direct[0]).not.toBe(direct[1]);
    const row = table.rows[i]!;
    expect(row.simulated?.value).toBeCloseTo((direct[0]! + direct[1]!) / 2, 6);
    const reported = outcomes.aaveV2Liquidations.markets.WETH!.byDayUtc["2021-05-19"]!;
    expect(row.reported).toEqual({ value: reported });
    expect(backtestRatio(row)).toBeCloseTo(row.simulated!.value / reported, 12);
  });

  it("keeps the calibrated headline figures within a factor of 2: May 2021 liquidations, Black Thursday bad debt", async () => {
    const may = await runBacktest({ scenario: "may-2021-deleveraging", seeds: [1, 2, 3], outcomes });
    const total = may.table.rows.find((r) => r.quantity.startsWith("Collateral liquidated on 19 May"))!;
    expect(backtestRatio(total)).toBeGreaterThan(0.5);
    expect(backtestRatio(total)).toBeLessThan(2);
    const march = await runBacktest({ scenario: "march-2020-black-thursday", seeds: [1, 2, 3], outcomes });
    const badDebt = march.table.rows.find((r) => r.quantity.startsWith("Maker bad debt"))!;
    expect(badDebt.reported).toEqual({ lo: 4_500_000, hi: 6_700_000 });
    expect(backtestRatio(badDebt)).toBeGreaterThan(0.5);
    expect(backtestRatio(badDebt)).toBeLessThan(2);
  });

  it("keeps Aave's and Compound's 19 May 2021 liquidations within 2x (intra-hour lows, per-collateral books) and does not judge Maker's", async () => {
    const { table } = await runBacktest({ scenario: "may-2021-deleveraging", seeds: [1, 2, 3], outcomes });
    const row = (prefix: string) => table.rows.find((r) => r.quantity.startsWith(prefix))!;
    for (const prefix of [
      "Aave collateral liquidated",
      "Compound collateral liquidated",
      "Aave v2 WETH-collateral",
    ]) {
      expect(backtestRatio(row(prefix)), prefix).toBeGreaterThan(0.5);
      expect(backtestRatio(row(prefix)), prefix).toBeLessThan(2);
    }
    // WBTC collateral, from the event-level file: checked, whatever the ratio.
    const wbtc = row("Aave v2 WBTC-collateral liquidations");
    expect(wbtc.reported).toEqual({ value: outcomes.aaveV2SeizedByCollateral.byReserve.WBTC!.usd });
    expect(wbtc.reported).toEqual({ value: expect.closeTo(43_600_000, -5) });
    expect(wbtc.simulated?.value).toBeGreaterThan(0);
    const maker = row("Maker collateral liquidated");
    expect(maker.reported).toBeNull();
    expect(maker.uncheckable).toMatch(/no Maker liquidation/);
    expect(maker.simulated?.value).toBeGreaterThan(0);
    // The lows between the closes do not leak into the "lowest hourly close" rows.
    for (const prefix of ["ETH's lowest hourly close", "BTC's lowest hourly close"]) {
      expect(backtestRatio(row(prefix)), prefix).toBeGreaterThan(0.97);
      expect(backtestRatio(row(prefix)), prefix).toBeLessThan(1.03);
    }
  });

  it("has a table for every named historical scenario; rows that cannot be checked say why and carry no reported figure", async () => {
    for (const scenario of BACKTESTED_SCENARIOS) {
      const { table } = await runBacktest({ scenario, seeds: [1], outcomes });
      expect(table.rows.length, scenario).toBeGreaterThan(1);
      expect(
        table.rows.some((r) => backtestRatio(r) !== null),
        scenario,
      ).toBe(true);
      for (const r of table.rows) {
        if (r.uncheckable) expect(r.reported, `${scenario}: ${r.quantity}`).toBeNull();
        else expect(r.reported, `${scenario}: ${r.quantity}`).not.toBeNull();
      }
    }
  });

  it("refuses a scenario without a backtest and an empty seed list", async () => {
    await expect(runBacktest({ scenario: "synthetic-shock", seeds: [1], outcomes })).rejects.toThrow(
      BacktestError,
    );
    await expect(runBacktest({ scenario: "may-2021-deleveraging", seeds: [], outcomes })).rejects.toThrow(
      /at least one seed/,
    );
  });
});
