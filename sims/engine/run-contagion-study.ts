/**
 * runContagionStudy: a scenario under every agents mode over many seeds, summarised (means and
 * 95th percentiles with confidence intervals) and, given an output folder, written as an HTML
 * report with charts, JSON and CSV. The CLI (./cli.ts) is a thin shell around this.
 */
import { fileURLToPath } from "node:url";
import { loadContagionDetector } from "../../models/contagion/load-detector.ts";
import type { ContagionDetector as ContagionModel } from "../../models/contagion/model.ts";
import { VALUATION_WEIGHTS } from "../../models/valuation/paths.ts";
import { readValuationFile, type ValuationModel } from "../../models/valuation/valuation-model.ts";
import { backtestForStudy } from "../backtest/backtest-for-study.ts";
import type { HerdingStudy } from "../herding/run-herding.ts";
import {
  type ModeSummary,
  modeFlags,
  type RunMonteCarloParameters,
  type RunRecord,
  runMonteCarlo,
} from "../monte-carlo/run-monte-carlo.ts";
import type { BacktestTable } from "../report/backtest.ts";
import { recordLoans } from "../report/record-loans.ts";
import { createReportDetailCollector, type ReportDetail } from "../report/report-detail.ts";
import { type WriteReportReturnType, writeReport } from "../report/write-report.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import type { PricePathMode, Scenario } from "../scenarios/scenario-schema.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../scenarios/with-price-paths.ts";
import { createSettlementBackend } from "../settlement/create-settlement-backend.ts";
import type { SettlementBackend, SettlementKind } from "../settlement/settlement-backend.ts";
import type { SettlementReport } from "../settlement/settlement-report.ts";
import { createPolicy, type PolicyKind } from "./agents-policy/policy-kind.ts";
import type { DeriskDetector } from "./alert-votes.ts";
import type { BuiltinPolicyParameters, LendingPolicy } from "./builtin-policy.ts";
import { defaultEngineOptions, type EngineOptions } from "./engine-options.ts";
import { MODES, type Mode } from "./engine-policy.ts";
import type { RunResult } from "./run-engine.ts";

/** The default study's scenario: an ETH crash, a run on a fund with illiquid stETH backing, a
 *  lender holding stETH collateral (see scenarios/contagion-demo.json). */
export const DEFAULT_SCENARIO = fileURLToPath(new URL("./scenarios/contagion-demo.json", import.meta.url));
/** The margins study's scenario: a fund borrows against ETH in a run, then ETH falls 20.6% in one
 *  hour (ETH's largest hourly fall in the data), faster than a borrower tops up between looks. */
export const MARGIN_GAP_SCENARIO = fileURLToPath(new URL("./scenarios/margin-gap.json", import.meta.url));

export type RunContagionStudyOptions = {
  /** A library scenario name, a path to a scenario file, or a scenario. Default: the demo. */
  scenario?: string | Scenario | undefined;
  /** How many seeds (1..n), or the exact seeds. Default 20. */
  seeds?: number | readonly number[] | undefined;
  modes?: readonly Mode[] | undefined;
  /** Write report.html, results.json, runs.csv and summary.csv here. */
  outDir?: string | undefined;
  engine?: Partial<EngineOptions> | undefined;
  sweep?: RunMonteCarloParameters["sweep"];
  /** Attach the backtest of the scenario's family (its own, or the named scenario whose real
   *  window it replays) when one exists: sims/backtest. Default true. */
  backtest?: boolean | undefined;
  /** The herding study run alongside (npm run sim): the report then shows its comparison. */
  herding?: HerdingStudy | undefined;
  onRun?: RunMonteCarloParameters["onRun"];
  /** Where negotiated loans settle: "chain" (default), the LiquidityArbiter on an anvil started for
   *  the study (or at `rpcUrl`) and stopped after it; "ledger", the in-process copy of the
   *  contract, for large sweeps; or a backend the caller made (and closes). Same results. */
  settlement?: SettlementKind | SettlementBackend | undefined;
  /** With settlement "chain": a running anvil to use instead of starting one. */
  rpcUrl?: string | undefined;
  /** How market prices move across seeds: "bootstrap" (default: each seed a path drawn from the
   *  scenario's real window), "fitted", or "replay" (the real window for every seed). */
  paths?: PricePathMode | undefined;
  /** How lenders price loans (default "rule"); "model-driven" loads the shipped valuation model
   *  unless `valuationModel` is given. */
  lending?: LendingPolicy | undefined;
  valuationModel?: ValuationModel | undefined;
  /** Each model-driven lending decision's estimate and terms (diagnostics). */
  onValuation?: BuiltinPolicyParameters["onValuation"];
  /** What makes protocols vote for de-risking alerts (sims/engine/alert-votes.ts): "drawdown"
   *  (default) or "contagion-model", which loads the shipped 24 h contagion model unless
   *  `contagionModel` is given. */
  detector?: DeriskDetector | undefined;
  contagionModel?: ContagionModel | undefined;
  /** Who plays the agents: the fast built-in policy (default) or the shipped agents themselves
   *  (agents-policy/): the same decisions, several times slower. */
  policy?: PolicyKind | undefined;
  /** Margined negotiated loans (default true; sims/engine/margin-servicing.ts). */
  margins?: boolean | undefined;
  /** Hours of price risk a lender's margin covers (default: one step). */
  marginHorizonHours?: number | undefined;
};

export type ContagionStudy = {
  /** pricePaths: how market prices moved (absent when the scenario has no market assets). */
  scenario: { name: string; title: string; notes: string; pricePaths?: PricePathMode | undefined };
  seeds: number[];
  modes: Mode[];
  engineOptions: EngineOptions;
  sweep: RunMonteCarloParameters["sweep"];
  runs: number;
  records: RunRecord[];
  summaries: ModeSummary[];
  /** Full results of the first seed, one per mode (charts). */
  kept: RunResult[];
  /** What the report draws from every run: bands over seeds, prices, per-protocol outcomes,
   *  the network, loan lifecycles (sims/report/report-detail.ts). Absent for studies whose runs
   *  were done elsewhere (JetStream workers): the report then uses `kept`. */
  detail?: ReportDetail | undefined;
  /** Simulated versus reported outcomes, when a backtest is attached (sims/report/backtest.ts). */
  backtest?: BacktestTable | undefined;
  /** The herding study run alongside, when there was one (sims/herding). */
  herding?: HerdingStudy | undefined;
  /** Which backend settled the loans, and what it cost (transactions and gas on the chain). */
  settlement: SettlementReport;
  /** Who played the agents (absent: the built-in policy). */
  policy?: PolicyKind | undefined;
  createdAt: string;
  durationMs: number;
};

export type RunContagionStudyReturnType = { study: ContagionStudy; files: WriteReportReturnType | undefined };

export async function runContagionStudy(
  o: RunContagionStudyOptions = {},
): Promise<RunContagionStudyReturnType> {
  const loaded = typeof o.scenario === "object" ? o.scenario : loadScenario(o.scenario ?? DEFAULT_SCENARIO);
  const scenario = withPricePaths({ scenario: loaded, paths: o.paths ?? STUDY_PRICE_PATHS });
  const seeds =
    typeof o.seeds === "object" ? [...o.seeds] : Array.from({ length: o.seeds ?? 20 }, (_, i) => i + 1);
  const modes = [...(o.modes ?? MODES)];
  const started = performance.now();
  const given = typeof o.settlement === "object" ? o.settlement : undefined;
  const kind = typeof o.settlement === "string" ? o.settlement : "chain";
  const settlement = given ?? (await createSettlementBackend({ settlement: kind, rpcUrl: o.rpcUrl }));
  // The report sees every run: loan lifecycles from the contract's events, bands over seeds.
  const loans = recordLoans(settlement);
  const collector = createReportDetailCollector({ scenario, keepSeed: seeds[0] ?? 1 });
  const params: Omit<BuiltinPolicyParameters, "negotiation" | "derisking"> = {
    ...(o.lending === "model-driven"
      ? {
          lending: "model-driven",
          valuationModel: o.valuationModel ?? readValuationFile(VALUATION_WEIGHTS),
          ...(o.onValuation ? { onValuation: o.onValuation } : {}),
        }
      : {}),
    ...(o.detector === "contagion-model"
      ? {
          detector: "contagion-model",
          contagionModel: o.contagionModel ?? loadContagionDetector({ horizon: 24 }),
        }
      : {}),
    ...(o.margins === false ? { margins: false } : {}),
    ...(o.marginHorizonHours !== undefined ? { marginHorizonHours: o.marginHorizonHours } : {}),
  };
  let mc: Awaited<ReturnType<typeof runMonteCarlo>>;
  try {
    mc = await runMonteCarlo({
      scenario,
      seeds,
      modes,
      options: o.engine,
      sweep: o.sweep,
      policy: params,
      ...(o.policy === "agents"
        ? { policyFor: (mode: Mode) => createPolicy("agents", { ...params, ...modeFlags(mode) }) }
        : {}),
      onRun: (run) => {
        collector.add({ ...run, loans: loans.takeRun() });
        o.onRun?.(run);
      },
      settlement: loans.backend,
    });
  } finally {
    if (!given) await settlement.close();
  }
  const study: ContagionStudy = {
    scenario: {
      name: scenario.name,
      title: scenario.title,
      notes: scenario.notes,
      pricePaths: scenario.market?.paths,
    },
    seeds,
    modes,
    engineOptions: { ...defaultEngineOptions, ...o.engine },
    sweep: o.sweep,
    runs: mc.records.length,
    records: mc.records,
    summaries: mc.summaries,
    kept: mc.kept,
    detail: collector.finish(),
    settlement: mc.settlement,
    policy: o.policy ?? "builtin",
    createdAt: new Date().toISOString(),
    durationMs: performance.now() - started,
  };
  if (o.backtest !== false) study.backtest = await backtestForStudy({ scenario, seeds });
  if (o.herding) study.herding = o.herding;
  const files = o.outDir ? await writeReport({ study, outDir: o.outDir }) : undefined;
  return { study, files };
}
