/**
 * Liquidations per lending market (protocol x collateral asset) per UTC day of the run: what a
 * backtest compares with subgraph figures such as Aave's hourlyLiquidateUSD, which count the
 * collateral seized in one collateral market (sims/backtest). Day d holds steps whose hour is in
 * [24 d, 24 d + 24); the last step (at the horizon) joins the day before when it falls exactly on
 * a day boundary, so a 48 h run has two days.
 */
import { usdFloat, type World } from "./world.ts";

export type MarketLiquidations = {
  protocol: string;
  collateral: string;
  /** Per day of the run: debt repaid or written off, collateral seized, and the debt left
   *  without collateral (bad debt), USD at the oracle. */
  days: { debtUsd: number; collateralUsd: number; badDebtUsd: number }[];
};

export type LiquidationDays = {
  /** Cumulative totals at the end of each day, [slot * assetCount + asset]. */
  debtAtDayEnd: bigint[][];
  collateralAtDayEnd: bigint[][];
  badDebtAtDayEnd: bigint[][];
};

export function createLiquidationDays(): LiquidationDays {
  return { debtAtDayEnd: [], collateralAtDayEnd: [], badDebtAtDayEnd: [] };
}

export function dayOfStep(step: number, stepHours: number, steps: number): number {
  const hour = step * stepHours;
  const day = Math.floor(hour / 24);
  return step === steps && day > 0 && hour === day * 24 ? day - 1 : day;
}

/** After step `step`: at the last step of a day, the running totals become that day's closing
 *  totals (copied once a day, not every step: the engine's hot loop runs 1,000 protocols). */
export function recordLiquidationDay(days: LiquidationDays, world: World, step: number): void {
  const day = dayOfStep(step, world.stepHours, world.steps);
  if (step < world.steps && dayOfStep(step + 1, world.stepHours, world.steps) === day) return;
  days.debtAtDayEnd[day] = world.lending.liquidatedDebtUsd8.slice();
  days.collateralAtDayEnd[day] = world.lending.seizedCollateralUsd8.slice();
  days.badDebtAtDayEnd[day] = world.lending.badDebtByMarketUsd8.slice();
}

export function finishLiquidationDays(days: LiquidationDays, world: World): MarketLiquidations[] {
  const nA = world.assetCount;
  const out: MarketLiquidations[] = [];
  const dayCount = days.debtAtDayEnd.length;
  world.lending.protocols.forEach((protocol, slot) => {
    for (let a = 0; a < nA; a++) {
      const m = slot * nA + a;
      if (world.lending.seizedCollateralUsd8[m] === 0n) continue;
      const perDay: MarketLiquidations["days"] = [];
      let debtBefore = 0n;
      let collateralBefore = 0n;
      let badBefore = 0n;
      for (let d = 0; d < dayCount; d++) {
        // A day with no step of its own (steps longer than a day) carries the totals before it.
        const debt = days.debtAtDayEnd[d]?.[m] ?? debtBefore;
        const collateral = days.collateralAtDayEnd[d]?.[m] ?? collateralBefore;
        const bad = days.badDebtAtDayEnd[d]?.[m] ?? badBefore;
        perDay.push({
          debtUsd: usdFloat(debt - debtBefore),
          collateralUsd: usdFloat(collateral - collateralBefore),
          badDebtUsd: usdFloat(bad - badBefore),
        });
        badBefore = bad;
        debtBefore = debt;
        collateralBefore = collateral;
      }
      out.push({
        protocol: world.protocols[protocol]!.id,
        collateral: world.assets[a]!.symbol,
        days: perDay,
      });
    }
  });
  return out;
}
