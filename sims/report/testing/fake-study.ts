/**
 * Studies made up from numbers, for tests of what the report writes: records with the given
 * per-run figures, summaries computed from them exactly as the study computes its own (the
 * shared `summarize`), and an optional detail with loans per seed. Only the fields a test sets
 * exist, so tests hold whatever metrics the engine adds.
 */

import { defaultEngineOptions, type EngineOptions } from "../../engine/engine-options.ts";
import type { Mode } from "../../engine/engine-policy.ts";
import type { ContagionStudy } from "../../engine/run-contagion-study.ts";
import type { ModeSummary, RunRecord } from "../../monte-carlo/run-monte-carlo.ts";
import { summarize } from "../../monte-carlo/statistics.ts";
import { emptySettlementStats } from "../../settlement/settlement-backend.ts";
import type { GroupDetail, LoanSeedSummary, ReportDetail } from "../report-detail.ts";

export type FakeRun = {
  mode: Mode;
  seed: number;
  sweep?: number | undefined;
  /** Per-run metrics by key (insolventDebtUsd, liquidationUsd, ...). */
  metrics: Record<string, number>;
  /** Hours to recovery, or null when the run never recovered (censored). */
  recoveryHours: number | null;
  loans?: Omit<LoanSeedSummary, "seed"> | undefined;
};

export function fakeStudy({
  runs,
  sweep,
  horizonHours = 96,
}: {
  runs: readonly FakeRun[];
  sweep?: { option: keyof EngineOptions; values: number[] } | undefined;
  horizonHours?: number;
}): ContagionStudy {
  const records = runs.map(
    (r) =>
      ({
        mode: r.mode,
        seed: r.seed,
        sweep: r.sweep,
        totals: { recovered: r.recoveryHours !== null, recoveryHours: r.recoveryHours },
        ...r.metrics,
      }) as unknown as RunRecord,
  );
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
  const groups = new Map<string, FakeRun[]>();
  for (const r of runs) {
    const key = `${r.sweep ?? ""}|${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const summaries = [...groups.values()].map((rs) => {
    const metrics = Object.fromEntries(keys.map((k) => [k, summarize(rs.map((r) => r.metrics[k] ?? 0))]));
    return {
      mode: rs[0]!.mode,
      sweep: rs[0]!.sweep,
      metrics,
      varUsd: summarize(rs.map((r) => r.metrics.insolventDebtUsd ?? 0)).p95,
      larUsd: summarize(rs.map((r) => r.metrics.liquidationUsd ?? 0)).p95,
    } as unknown as ModeSummary;
  });
  const withLoans = runs.some((r) => r.loans);
  const detail: ReportDetail = {
    keptSeed: runs[0]?.seed ?? 1,
    stepHours: 1,
    bucketHours: 1,
    hours: [0, horizonHours],
    horizonHours,
    protocols: [],
    assets: [],
    prices: [],
    groups: [...groups.values()].map(
      (rs): GroupDetail => ({
        sweep: rs[0]!.sweep,
        mode: rs[0]!.mode,
        seeds: rs.map((r) => r.seed),
        series: {},
        marketPrices: {},
        protocols: [],
        network: { start: [], end: [] },
        loans: withLoans
          ? { perSeed: rs.map((r) => ({ seed: r.seed, ...(r.loans ?? zeroLoans) })), kept: [] }
          : undefined,
      }),
    ),
  };
  const seeds = [...new Set(runs.map((r) => r.seed))];
  return {
    scenario: {
      name: "fake",
      title: "A made-up study",
      notes: "Numbers chosen by a test.",
      pricePaths: "bootstrap",
    },
    seeds,
    modes: [...new Set(runs.map((r) => r.mode))],
    engineOptions: defaultEngineOptions,
    sweep,
    runs: runs.length,
    records,
    summaries,
    kept: [],
    detail,
    settlement: { backend: "ledger", total: emptySettlementStats(), byMode: [] },
    createdAt: "2024-01-01T00:00:00.000Z",
    durationMs: 1,
  };
}

/** A loan summary with no margined loan (tests spread it and set what they need). */
export const zeroMargins = { liquidated: 0, margined: 0, everLiquidated: 0, toppedUp: 0 };
const zeroLoans = { ...zeroMargins, loans: 0, repaid: 0, defaulted: 0, outstanding: 0, outstandingUsd: 0 };

/** n seeds of a mode whose metrics come from `f(seed)`. */
export function fakeRuns(
  mode: Mode,
  n: number,
  f: (seed: number) => Omit<FakeRun, "mode" | "seed">,
): FakeRun[] {
  return Array.from({ length: n }, (_, i) => ({ mode, seed: i + 1, ...f(i + 1) }));
}
