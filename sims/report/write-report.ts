/**
 * Writes a study to a folder: report.html (self-contained: inline SVG charts, no scripts, no
 * network), results.json (everything, money as decimal strings of USD-8), runs.csv (one row per
 * run) and summary.csv (one row per mode and metric).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { toJson } from "../../core/schema.ts";
import type { ContagionStudy } from "../engine/run-contagion-study.ts";
import { METRIC_LABELS, METRICS } from "../monte-carlo/run-monte-carlo.ts";
import { renderHtmlReport } from "./html-report.ts";

export type WriteReportReturnType = {
  dir: string;
  html: string;
  json: string;
  runsCsv: string;
  summaryCsv: string;
};

const csvCell = (x: unknown) => {
  const s = typeof x === "bigint" ? x.toString() : String(x ?? "");
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

export function runsCsv(study: ContagionStudy): string {
  const header = [
    "mode",
    "seed",
    "sweep",
    "bad_debt_usd",
    "insolvencies",
    "insolvent_at_start",
    "insolvent_debt_usd",
    "liquidation_usd",
    "liquidations",
    "negotiated_usd",
    "loans",
    "defaults",
    "adl_usd",
    "fire_sale_usd",
    "peak_unmet_usd",
    "recovery_hours",
    "recovered",
  ];
  const usd8 = (x: bigint) => (Number(x) / 1e8).toFixed(2);
  return csv([
    header,
    ...study.records.map((r) => {
      const t = r.totals;
      return [
        r.mode,
        r.seed,
        r.sweep ?? "",
        usd8(t.badDebtUsd8),
        t.insolvencies,
        t.insolventAtStart,
        usd8(t.insolventDebtUsd8),
        usd8(t.liquidationUsd8),
        t.liquidations,
        usd8(t.negotiatedUsd8),
        t.loans,
        t.defaults,
        usd8(t.adlUsd8),
        usd8(t.fireSaleUsd8),
        usd8(t.peakUnmetUsd8),
        t.recoveryHours,
        t.recovered,
      ];
    }),
  ]);
}

export function summaryCsv(study: ContagionStudy): string {
  const rows: unknown[][] = [
    [
      "mode",
      "sweep",
      "metric",
      "label",
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
  for (const s of study.summaries) {
    for (const m of METRICS) {
      const x = s.metrics[m];
      rows.push([
        s.mode,
        s.sweep ?? "",
        m,
        METRIC_LABELS[m],
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
  }
  return csv(rows);
}

export function writeReport({
  study,
  outDir,
}: {
  study: ContagionStudy;
  outDir: string;
}): WriteReportReturnType {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files = {
    dir,
    html: join(dir, "report.html"),
    json: join(dir, "results.json"),
    runsCsv: join(dir, "runs.csv"),
    summaryCsv: join(dir, "summary.csv"),
  };
  writeFileSync(files.html, renderHtmlReport(study));
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
