/**
 * The backtest a study report shows: the scenario's own when it is a named historical scenario,
 * else that of the named scenario whose real price window it replays (the default demo replays
 * June 2022, so its report carries june-2022-steth-discount's backtest, labelled as such), else
 * none. Backtest runs are separate from the study's (agents off, prices replayed).
 */
import type { BacktestTable } from "../report/backtest.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { BACKTESTED_SCENARIOS } from "./comparisons.ts";
import { runBacktest } from "./run-backtest.ts";

/** Seeds for the study's backtest: the study's first ones, at most this many (each is one run). */
export const STUDY_BACKTEST_SEEDS = 10;

export type BacktestForStudyParameters = { scenario: Scenario; seeds: readonly number[] };

export function backtestFamilyOf(scenario: Scenario): string | undefined {
  const named = BACKTESTED_SCENARIOS as readonly string[];
  if (named.includes(scenario.name)) return scenario.name;
  const window = scenario.market?.window;
  return window && named.includes(window) ? window : undefined;
}

export async function backtestForStudy({
  scenario,
  seeds,
}: BacktestForStudyParameters): Promise<BacktestTable | undefined> {
  const family = backtestFamilyOf(scenario);
  if (!family || seeds.length === 0) return undefined;
  const { table } = await runBacktest({ scenario: family, seeds: seeds.slice(0, STUDY_BACKTEST_SEEDS) });
  if (family === scenario.name) return table;
  return {
    ...table,
    notes: `This scenario (${scenario.name}) has its own protocols, not history's, so it cannot be backtested itself; its prices come from the real window of ${family}, whose backtest this is. ${table.notes ?? ""}`,
  };
}
