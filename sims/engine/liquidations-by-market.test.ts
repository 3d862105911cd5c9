import { describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { dayOfStep } from "./liquidations-by-market.ts";
import { runEngine } from "./run-engine.ts";

describe("liquidations by market and day", () => {
  it("puts each step in its UTC day of the run, the horizon step in the day it closes", () => {
    expect(dayOfStep(0, 0.5, 96)).toBe(0);
    expect(dayOfStep(47, 0.5, 96)).toBe(0);
    expect(dayOfStep(48, 0.5, 96)).toBe(1);
    expect(dayOfStep(96, 0.5, 96)).toBe(1);
    expect(dayOfStep(10, 1, 72)).toBe(0);
  });

  it("adds up to the run's liquidation and bad-debt totals", async () => {
    const scenario = withPricePaths({ scenario: loadScenario("march-2020-black-thursday"), paths: "replay" });
    const run = await runEngine({ scenario, seed: 1 });
    let debt = 0;
    let bad = 0;
    let collateral = 0;
    for (const m of run.liquidationsByMarket)
      for (const d of m.days) {
        debt += d.debtUsd;
        bad += d.badDebtUsd;
        collateral += d.collateralUsd;
      }
    const totalDebt = Number(run.totals.liquidationUsd8) / 1e8;
    expect(totalDebt).toBeGreaterThan(0);
    expect(debt).toBeCloseTo(totalDebt, 2);
    expect(bad).toBeCloseTo(Number(run.totals.badDebtUsd8) / 1e8, 2);
    expect(collateral).toBeGreaterThan(0);
    expect(run.liquidationsByMarket.every((m) => m.days.length === 3)).toBe(true);
  });
});
