/**
 * Monte Carlo over seeds (and, optionally, one engine parameter swept over values), for each
 * agents mode. Each run is deterministic; the spread comes from the seeds (price paths,
 * borrower books, auctions).
 */
import { type BuiltinPolicyParameters, createBuiltinPolicy } from "../engine/builtin-policy.ts";
import type { EngineOptions } from "../engine/engine-options.ts";
import type { EnginePolicy, Mode } from "../engine/engine-policy.ts";
import { type RunResult, type RunTotals, runEngine } from "../engine/run-engine.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { createLedgerBackend } from "../settlement/ledger-backend.ts";
import {
  combineSettlementStats,
  emptySettlementStats,
  type SettlementBackend,
} from "../settlement/settlement-backend.ts";
import type { SettlementReport } from "../settlement/settlement-report.ts";
import { type MetricSummary, quantile, summarize } from "./statistics.ts";

/** Per-run figures summarised by their mean and 95th percentile. Time to recovery is not among
 *  them: it is censored (see `RecoverySummary`). */
export const METRICS = [
  "badDebtUsd",
  "depositorLossUsd",
  "unpaidWithdrawalUsdHours",
  "insolvencies",
  "insolventDebtUsd",
  "writeDownUsd",
  "halts",
  "liquidationUsd",
  "negotiatedUsd",
  "loanDefaults",
  "loansLiquidated",
  "loansToppedUp",
  "peakUnmetUsd",
] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_LABELS: Record<Metric, string> = {
  badDebtUsd: "Bad debt (USD)",
  depositorLossUsd: "Losses to depositors (USD)",
  unpaidWithdrawalUsdHours: "Unpaid withdrawals (USD x hours)",
  insolvencies: "Insolvent protocols",
  insolventDebtUsd: "Insolvent debt (USD)",
  writeDownUsd: "Claims written down (USD)",
  halts: "Protocols halted",
  liquidationUsd: "Liquidations (USD)",
  negotiatedUsd: "Negotiated loans (USD)",
  loanDefaults: "Negotiated loans defaulted",
  loansLiquidated: "Negotiated loans liquidated",
  loansToppedUp: "Negotiated loans topped up",
  peakUnmetUsd: "Peak unpaid withdrawals (USD)",
};

/** One run's headline numbers (USD as floats for statistics; exact USD-8 stays in `totals`). */
export type RunRecord = {
  mode: Mode;
  seed: number;
  sweep: number | undefined;
  totals: RunTotals;
  /** 1 when the run recovered within the horizon. */
  recovered: number;
  /** Hours to recovery, or null when the run did not recover (censored). */
  recoveryHours: number | null;
} & Record<Metric, number>;

/**
 * Time to recovery with censoring: the share of runs that recovered within the horizon (with a
 * bootstrap interval), and the median hours among those that did. Runs that never recovered are
 * never counted as recovering at the horizon.
 */
export type RecoverySummary = {
  runs: number;
  recovered: number;
  share: MetricSummary["mean"];
  /** Median among recovered runs, or null if none recovered. */
  medianHours: number | null;
};

export type ModeSummary = {
  mode: Mode;
  sweep: number | undefined;
  metrics: Record<Metric, MetricSummary>;
  recovery: RecoverySummary;
  /** VaR: 95th percentile of insolvent debt. LaR: 95th percentile of liquidations. */
  varUsd: MetricSummary["p95"];
  larUsd: MetricSummary["p95"];
};

export type RunMonteCarloParameters = {
  scenario: Scenario;
  seeds: readonly number[];
  modes: readonly Mode[];
  options?: Partial<EngineOptions> | undefined;
  /** Sweep one numeric engine option over these values (each value gets every seed and mode). */
  sweep?: { option: keyof EngineOptions; values: readonly number[] } | undefined;
  policy?: Omit<BuiltinPolicyParameters, "negotiation" | "derisking"> | undefined;
  /** A policy per mode; default: the built-in policy. */
  policyFor?: ((mode: Mode) => EnginePolicy) | undefined;
  /** Called after each run; `done` of `total`. */
  onRun?:
    | ((p: {
        done: number;
        total: number;
        mode: Mode;
        seed: number;
        /** The swept option's value of this run (undefined without a sweep). */
        sweep?: number | undefined;
        result: RunResult;
      }) => void)
    | undefined;
  /** Keep full results (series, events) of the runs with this seed, one per mode (for charts). */
  keepSeed?: number | undefined;
  /** Where loans settle (same results either way). Default: a fresh in-process ledger; the caller
   *  owns a backend it passes (and closes it). */
  settlement?: SettlementBackend | undefined;
};

export type RunMonteCarloReturnType = {
  records: RunRecord[];
  summaries: ModeSummary[];
  /** Full results of `keepSeed`, by mode (and sweep value, if any: the first one). */
  kept: RunResult[];
  settlement: SettlementReport;
};

const usd = (x: bigint) => Number(x) / 1e8;

export function recordOf(mode: Mode, sweep: number | undefined, r: RunResult): RunRecord {
  const t = r.totals;
  return {
    mode,
    seed: r.seed,
    sweep,
    totals: t,
    badDebtUsd: usd(t.badDebtUsd8),
    depositorLossUsd: usd(t.depositorLossUsd8),
    unpaidWithdrawalUsdHours: usd(t.unpaidWithdrawalUsd8Hours),
    insolvencies: t.insolvencies,
    insolventDebtUsd: usd(t.insolventDebtUsd8),
    writeDownUsd: usd(t.writeDownUsd8),
    halts: t.halts,
    liquidationUsd: usd(t.liquidationUsd8),
    negotiatedUsd: usd(t.negotiatedUsd8),
    loanDefaults: t.defaults,
    loansLiquidated: t.loansLiquidated,
    loansToppedUp: t.loansToppedUp,
    peakUnmetUsd: usd(t.peakUnmetUsd8),
    recovered: t.recovered ? 1 : 0,
    recoveryHours: t.recoveryHours,
  };
}

export function modeFlags(mode: Mode): { negotiation: boolean; derisking: boolean } {
  return {
    negotiation: mode === "negotiation" || mode === "both",
    derisking: mode === "derisking" || mode === "both",
  };
}

export async function runMonteCarlo(p: RunMonteCarloParameters): Promise<RunMonteCarloReturnType> {
  const sweepValues = p.sweep ? [...p.sweep.values] : [undefined];
  const total = sweepValues.length * p.modes.length * p.seeds.length;
  const records: RunRecord[] = [];
  const kept: RunResult[] = [];
  const settlement = p.settlement ?? createLedgerBackend();
  const byMode: SettlementReport["byMode"] = [];
  let done = 0;
  for (const value of sweepValues) {
    const options = { ...p.options, ...(p.sweep && value !== undefined ? { [p.sweep.option]: value } : {}) };
    for (const mode of p.modes) {
      const cost = { mode, sweep: value, stats: emptySettlementStats() };
      byMode.push(cost);
      for (const seed of p.seeds) {
        const policy = p.policyFor?.(mode) ?? createBuiltinPolicy({ ...p.policy, ...modeFlags(mode) });
        const before = settlement.stats();
        const result = await runEngine({ scenario: p.scenario, seed, options, policy, settlement });
        cost.stats = combineSettlementStats(
          cost.stats,
          combineSettlementStats(settlement.stats(), before, -1),
        );
        records.push(recordOf(mode, value, result));
        if (seed === (p.keepSeed ?? p.seeds[0]) && value === sweepValues[0]) kept.push(result);
        done++;
        p.onRun?.({ done, total, mode, seed, sweep: value, result });
      }
    }
  }
  return {
    records,
    summaries: summarizeRecords(records),
    kept,
    settlement: {
      backend: settlement.kind,
      chain: settlement.chain(),
      total: byMode.reduce((t, m) => combineSettlementStats(t, m.stats), emptySettlementStats()),
      byMode,
    },
  };
}

export function summarizeRecords(records: readonly RunRecord[]): ModeSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.sweep ?? ""}|${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const metrics = Object.fromEntries(METRICS.map((m) => [m, summarize(rs.map((r) => r[m]))])) as Record<
      Metric,
      MetricSummary
    >;
    return {
      mode: rs[0]!.mode,
      sweep: rs[0]!.sweep,
      metrics,
      recovery: summarizeRecovery(rs),
      varUsd: metrics.insolventDebtUsd.p95,
      larUsd: metrics.liquidationUsd.p95,
    };
  });
}

export function summarizeRecovery(records: readonly RunRecord[]): RecoverySummary {
  const hours = records.flatMap((r) => (r.recoveryHours === null ? [] : [r.recoveryHours]));
  return {
    runs: records.length,
    recovered: hours.length,
    share: summarize(records.map((r) => r.recovered)).mean,
    medianHours: hours.length === 0 ? null : quantile(hours, 0.5),
  };
}
