/**
 * The study as the report reads it: runs grouped by (swept value, mode), each with its summary,
 * its per-seed values of every metric, censored recovery and its detail (bands, protocols,
 * loans). The report never indexes the study's types by name beyond this file, so metrics the
 * engine adds or renames appear without touching the sections.
 */
import type { ContagionStudy } from "../engine/run-contagion-study.ts";
import type { ModeSummary, RunRecord } from "../monte-carlo/run-monte-carlo.ts";
import { modeOrder } from "./charts/chart-theme.ts";
import { type Interval, sortedQuantile, wilsonShare } from "./intervals.ts";
import { orderedKeys, RUN_METRICS, runMetric } from "./metric-definitions.ts";
import type { GroupDetail, ReportDetail } from "./report-detail.ts";

export type RecoveryView = {
  runs: number;
  recovered: number;
  /** Share recovered within the horizon, Wilson 95% interval. */
  share: Interval;
  /** Median hours to recovery among recovered runs; null if none recovered. */
  medianHours: number | null;
};

export type GroupView = {
  sweep: number | undefined;
  mode: string;
  summary: ModeSummary;
  records: RunRecord[];
  /** metric key -> seed -> value */
  values: Map<string, Map<number, number>>;
  recovery: RecoveryView;
  detail: GroupDetail | undefined;
};

export type StudyView = {
  study: ContagionStudy;
  modes: string[];
  /** [undefined] without a sweep. */
  sweepValues: (number | undefined)[];
  groups: GroupView[];
  /** Run metrics the study carries, registry order, censored ones left out. */
  metricKeys: string[];
  /** Seeds per group (the most any group has). */
  seeds: number;
  detail: ReportDetail | undefined;
  /** "off" when the study ran it. */
  baseline: string | undefined;
  horizonHours: number | undefined;
  group(sweep: number | undefined, mode: string): GroupView | undefined;
};

export function recoveryOf(records: readonly RunRecord[]): RecoveryView {
  const hours: number[] = [];
  for (const r of records) {
    const t = r.totals as { recovered: boolean; recoveryHours: number | null };
    if (t.recovered && typeof t.recoveryHours === "number") hours.push(t.recoveryHours);
  }
  hours.sort((a, b) => a - b);
  return {
    runs: records.length,
    recovered: hours.length,
    share: wilsonShare(hours.length, records.length),
    medianHours: hours.length === 0 ? null : sortedQuantile(hours, 0.5),
  };
}

export function createStudyView(study: ContagionStudy, detail = study.detail): StudyView {
  const sweepValues: (number | undefined)[] = study.sweep ? [...study.sweep.values] : [undefined];
  const modes = [...new Set(study.summaries.map((s) => s.mode as string))].sort(modeOrder);
  const present = new Set<string>();
  for (const s of study.summaries) for (const k of Object.keys(s.metrics)) present.add(k);
  const metricKeys = orderedKeys(present, RUN_METRICS).filter((k) => !runMetric(k).censored);
  const groups: GroupView[] = [];
  for (const sweep of sweepValues) {
    for (const mode of modes) {
      const summary = study.summaries.find((s) => s.mode === mode && s.sweep === sweep);
      if (!summary) continue;
      const records = study.records.filter((r) => r.mode === mode && r.sweep === sweep);
      const values = new Map<string, Map<number, number>>();
      for (const key of present) {
        const bySeed = new Map<number, number>();
        for (const r of records) {
          const v = (r as unknown as Record<string, unknown>)[key];
          if (typeof v === "number") bySeed.set(r.seed, v);
        }
        values.set(key, bySeed);
      }
      groups.push({
        sweep,
        mode,
        summary,
        records,
        values,
        recovery: recoveryOf(records),
        detail: detail?.groups.find((g) => g.mode === mode && g.sweep === sweep),
      });
    }
  }
  return {
    study,
    modes,
    sweepValues,
    groups,
    metricKeys,
    seeds: Math.max(0, ...groups.map((g) => g.records.length)),
    detail,
    baseline: modes.includes("off") ? "off" : undefined,
    horizonHours:
      detail?.horizonHours ?? (study.kept[0] ? study.kept[0].steps * study.kept[0].stepHours : undefined),
    group: (sweep, mode) => groups.find((g) => g.sweep === sweep && g.mode === mode),
  };
}

/** "liquidationRounds = 2", or "" without a sweep. */
export function sweepLabel(view: StudyView, sweep: number | undefined): string {
  return sweep === undefined || !view.study.sweep ? "" : `${String(view.study.sweep.option)} = ${sweep}`;
}
