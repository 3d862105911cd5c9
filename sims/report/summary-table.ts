/**
 * The terminal summary: one column per mode, one row per metric the study carries (labels and
 * formats from ./metric-definitions.ts), each cell the mean with its 95% confidence interval;
 * recovery with censoring, and VaR and LaR 95% with their intervals below. A sweep prints one
 * block per swept value, so columns stay readable.
 */
import type { ContagionStudy } from "../engine/run-contagion-study.ts";
import { axisTitle, DERIVED_METRICS, runMetric } from "./metric-definitions.ts";
import { createStudyView, type GroupView, type StudyView } from "./study-view.ts";

function block(view: StudyView, sweep: number | undefined, color: boolean): string {
  const groups = view.modes.flatMap((m) => view.group(sweep, m) ?? []);
  const rows: string[][] = [["", ...groups.map((g) => g.mode)]];
  const estimate = (
    format: (x: number) => string,
    e: { value: number; lo: number; hi: number },
    n: number,
  ) => (n > 1 ? `${format(e.value)} [${format(e.lo)}, ${format(e.hi)}]` : format(e.value));
  for (const key of view.metricKeys) {
    const d = runMetric(key);
    rows.push([
      axisTitle(d),
      ...groups.map((g) => {
        const s = g.summary.metrics[key as keyof GroupView["summary"]["metrics"]];
        return s ? estimate(d.format, s.mean, s.n) : "-";
      }),
    ]);
  }
  const share = DERIVED_METRICS.recoveredShare;
  rows.push([
    `${share.label} (share)`,
    ...groups.map(
      (g) =>
        `${estimate(share.format, g.recovery.share, g.recovery.runs)} ${g.recovery.recovered}/${g.recovery.runs}`,
    ),
  ]);
  rows.push([
    `${DERIVED_METRICS.recoveryMedianHours.label} (h)`,
    ...groups.map((g) =>
      g.recovery.medianHours === null
        ? "none recovered"
        : DERIVED_METRICS.recoveryMedianHours.format(g.recovery.medianHours),
    ),
  ]);
  const v = DERIVED_METRICS.varUsd;
  const l = DERIVED_METRICS.larUsd;
  rows.push([v.label, ...groups.map((g) => estimate(v.format, g.summary.varUsd, g.records.length))]);
  rows.push([l.label, ...groups.map((g) => estimate(l.format, g.summary.larUsd, g.records.length))]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  const out = rows.map((r, i) => (i === 0 ? bold(line(r)) : line(r)));
  out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const head =
    sweep === undefined || !view.study.sweep ? "" : `${String(view.study.sweep.option)} = ${sweep}\n`;
  return `${head}${out.join("\n")}\n`;
}

export function formatSummaryTable(study: ContagionStudy, { color = false } = {}): string {
  const view = createStudyView(study, study.detail);
  const blocks = view.sweepValues.map((s) => block(view, s, color));
  return `${blocks.join("\n")}  mean [95% CI] over ${view.seeds} seed${view.seeds === 1 ? "" : "s"} per mode; recovery: share [95% Wilson CI] and runs recovered\n`;
}
