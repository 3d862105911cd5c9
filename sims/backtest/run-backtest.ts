/**
 * A backtest of one named scenario: run it for several seeds with agents off on its real price
 * window (replay: seeds redraw borrowers, not prices), read each comparison's simulated quantity
 * from every run, and put it beside the reported figure (comparisons.ts). The table renders in
 * the study report (sims/report/sections/backtest-section.ts) and in `npm run sim:backtest`.
 */
import { type RunResult, runEngine } from "../engine/run-engine.ts";
import type { BacktestRow, BacktestTable } from "../report/backtest.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { comparisonsFor } from "./comparisons.ts";
import { BacktestError } from "./errors.ts";
import { loadShippedOutcomes, type ShippedOutcomes } from "./shipped-outcomes.ts";

/** Borrowers per lending market in backtest runs. The fitted health factors are heavy-tailed: the
 *  few positions near 1 decide what a fall liquidates, and the study default (400) samples them
 *  so thinly that seeds disagree by 3x; 4,000 keeps a run under a second. */
export const BACKTEST_POSITIONS_PER_LENDING = 4000;

export type RunBacktestParameters = {
  scenario: string;
  seeds: readonly number[];
  /** Borrowers per lending market (default BACKTEST_POSITIONS_PER_LENDING). */
  positionsPerLending?: number | undefined;
  outcomes?: ShippedOutcomes | undefined;
  onRun?: ((p: { scenario: string; seed: number; done: number; total: number }) => void) | undefined;
};

export type RunBacktestReturnType = {
  /** The table, with every seed's simulated value per row in `perSeed`. */
  table: BacktestTable;
};

export function hasBacktest(scenario: string, outcomes: ShippedOutcomes = loadShippedOutcomes()): boolean {
  return comparisonsFor(scenario, outcomes) !== undefined;
}

export async function runBacktest(p: RunBacktestParameters): Promise<RunBacktestReturnType> {
  if (p.seeds.length === 0) throw new BacktestError({ problem: "a backtest needs at least one seed" });
  const outcomes = p.outcomes ?? loadShippedOutcomes();
  const comparisons = comparisonsFor(p.scenario, outcomes);
  if (!comparisons)
    throw new BacktestError({
      problem: `scenario "${p.scenario}" has no backtest`,
      fix: "backtests exist for the named historical scenarios (sims/backtest/comparisons.ts)",
    });
  const scenario = withPricePaths({ scenario: loadScenario(p.scenario), paths: "replay" });
  const runs: RunResult[] = [];
  for (const seed of p.seeds) {
    runs.push(
      await runEngine({
        scenario,
        seed,
        options: { positionsPerLending: p.positionsPerLending ?? BACKTEST_POSITIONS_PER_LENDING },
      }),
    );
    p.onRun?.({ scenario: p.scenario, seed, done: runs.length, total: p.seeds.length });
  }
  const perSeed = comparisons.map((c) => (c.measure ? runs.map((r) => c.measure!(r)) : null));
  const rows: BacktestRow[] = comparisons.map((c, i) => {
    const values = perSeed[i];
    return {
      quantity: c.quantity,
      unit: c.unit,
      simulated: values ? summarise(values) : null,
      reported: c.uncheckable ? null : c.reported,
      source: c.source,
      uncheckable: c.uncheckable,
      tolerance: c.tolerance,
    };
  });
  return {
    table: {
      scenario: p.scenario,
      rows,
      perSeed,
      notes: `Agents off; prices replay the real window${scenario.market?.intrahourLows ? " (with each hour's candle low between its closes, as the lending oracles saw it)" : ""}; ${p.positionsPerLending ?? BACKTEST_POSITIONS_PER_LENDING} borrowers per lending market; ${p.seeds.length} seed${p.seeds.length === 1 ? "" : "s"} (${p.seeds[0]}..${p.seeds[p.seeds.length - 1]}) redraw the borrowers. Simulated: the median over seeds, with the smallest and largest seed below it.`,
    },
  };
}

function summarise(values: readonly number[]): NonNullable<BacktestRow["simulated"]> {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { value: median, lo: sorted[0]!, hi: sorted[n - 1]!, estimate: `median of ${n} seeds [min, max]` };
}
