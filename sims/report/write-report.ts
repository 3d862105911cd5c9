/**
 * Writes a study to a folder: report.html (self-contained: Vega-Lite charts rendered to inline
 * SVG, no scripts, no network), results.json (everything, money as decimal strings of USD-8),
 * runs.csv (one row per run) and summary.csv (one row per mode and metric).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { toJson } from "../../core/schema.ts";
import type { ContagionStudy } from "../engine/run-contagion-study.ts";
import { renderHtmlReport } from "./html-report.ts";
import { DERIVED_METRICS, runMetric } from "./metric-definitions.ts";
import { createStudyView } from "./study-view.ts";

export type WriteReportReturnType = {
  dir: string;
  html: string;
  json: string;
  runsCsv: string;
  summaryCsv: string;
  /** How long the HTML took: its charts, and the whole page (ms). */
  render: { charts: number; chartMs: number; totalMs: number };
};

const csvCell = (x: unknown) => {
  const s = typeof x === "bigint" ? x.toString() : String(x ?? "");
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

/** camelCase engine field -> snake_case column; money fields (…Usd8) lose the 8: they are USD. */
export function columnName(key: string): string {
  return key
    .replace(/Usd8/g, "Usd")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

const usd8 = (x: bigint) => (Number(x) / 1e8).toFixed(2);

/** One row per run: every field of the run's totals, whatever the engine reports. */
export function runsCsv(study: ContagionStudy): string {
  const keys = [...new Set(study.records.flatMap((r) => Object.keys(r.totals)))];
  return csv([
    ["mode", "seed", "sweep", ...keys.map(columnName)],
    ...study.records.map((r) => {
      const t = r.totals as unknown as Record<string, unknown>;
      return [
        r.mode,
        r.seed,
        r.sweep ?? "",
        ...keys.map((k) => {
          const v = t[k];
          return typeof v === "bigint" && /Usd8/.test(k) ? usd8(v) : (v ?? "");
        }),
      ];
    }),
  ]);
}

/** One row per (mode, swept value) and metric: every metric the summaries carry, the tail
 *  figures, and recovery with censoring. */
export function summaryCsv(study: ContagionStudy): string {
  const view = createStudyView(study, study.detail);
  const rows: unknown[][] = [
    [
      "mode",
      "sweep",
      "metric",
      "label",
      "unit",
      "n",
      "mean",
      "mean_ci_lo",
      "mean_ci_hi",
      "p95",
      "p95_ci_lo",
      "p95_ci_hi",
      "min",
      "max",
    ],
  ];
  for (const g of view.groups) {
    const s = g.summary;
    for (const [m, x] of Object.entries(s.metrics)) {
      const d = runMetric(m);
      if (d.censored) continue;
      rows.push([
        g.mode,
        g.sweep ?? "",
        m,
        d.label,
        d.unit,
        x.n,
        x.mean.value,
        x.mean.lo,
        x.mean.hi,
        x.p95.value,
        x.p95.lo,
        x.p95.hi,
        x.min,
        x.max,
      ]);
    }
    const r = g.recovery;
    const share = DERIVED_METRICS.recoveredShare;
    const median = DERIVED_METRICS.recoveryMedianHours;
    rows.push([
      g.mode,
      g.sweep ?? "",
      share.key,
      share.label,
      share.unit,
      r.runs,
      r.share.value,
      r.share.lo,
      r.share.hi,
      "",
      "",
      "",
      "",
      "",
    ]);
    rows.push([
      g.mode,
      g.sweep ?? "",
      median.key,
      median.label,
      median.unit,
      r.recovered,
      r.medianHours ?? "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
    ]);
  }
  return csv(rows);
}

export async function writeReport({
  study,
  outDir,
}: {
  study: ContagionStudy;
  outDir: string;
}): Promise<WriteReportReturnType> {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const page = await renderHtmlReport(study);
  const files = {
    dir,
    html: join(dir, "report.html"),
    json: join(dir, "results.json"),
    runsCsv: join(dir, "runs.csv"),
    summaryCsv: join(dir, "summary.csv"),
    render: { charts: page.charts, chartMs: page.chartMs, totalMs: page.totalMs },
  };
  writeFileSync(files.html, page.html);
  writeFileSync(
    files.json,
    toJson({
      ...study,
      kept: study.kept.map((r) => ({
        ...r,
        series: Object.fromEntries(
          Object.entries(r.series).map(([k, v]) => [
            k,
            Array.isArray(v) ? v.map((a) => Array.from(a)) : Array.from(v as Float64Array),
          ]),
        ),
        network: { start: Array.from(r.network.start), end: Array.from(r.network.end) },
      })),
    }),
  );
  writeFileSync(files.runsCsv, runsCsv(study));
  writeFileSync(files.summaryCsv, summaryCsv(study));
  return files;
}
