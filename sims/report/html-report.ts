/**
 * The HTML report: one self-contained file (inline CSS and SVG charts rendered with Vega-Lite at
 * report time; no script, no font, no image, no link out of the page), readable offline and
 * printable. Sections, in reading order: conclusions, summary tables, the sweep (when there is
 * one), distributions over seeds, the crisis over time, prices, per-protocol outcomes, the
 * exposure network, negotiated loans, events of one seed, the herding comparison (when the herding
 * study ran alongside), the backtest (when the study carries one), metric definitions, assumptions.
 */
import { version as vegaLiteVersion } from "vega-lite";
import type { ContagionStudy } from "../engine/run-contagion-study.ts";
import { MODE_COLORS } from "./charts/chart-theme.ts";
import { createChartRenderer } from "./charts/render-charts.ts";
import { esc } from "./html.ts";
import { createReportDetailCollector, type ReportDetail } from "./report-detail.ts";
import { assumptionsSection } from "./sections/assumptions-section.ts";
import { backtestSection } from "./sections/backtest-section.ts";
import { conclusionsSection } from "./sections/conclusions-section.ts";
import { definitionsSection } from "./sections/definitions-section.ts";
import { distributionsSection } from "./sections/distributions-section.ts";
import { eventsSection } from "./sections/events-section.ts";
import { herdingSection } from "./sections/herding-section.ts";
import { loansSection } from "./sections/loans-section.ts";
import { networkSection } from "./sections/network-section.ts";
import { pricePathsText, pricesSection } from "./sections/prices-section.ts";
import { protocolsSection } from "./sections/protocols-section.ts";
import type { Section, SectionContext } from "./sections/section.ts";
import { summarySection } from "./sections/summary-section.ts";
import { sweepSection } from "./sections/sweep-section.ts";
import { timeSection } from "./sections/time-section.ts";
import { createStudyView } from "./study-view.ts";

export type RenderHtmlReportReturnType = {
  html: string;
  charts: number;
  /** Time spent rendering charts, and building the whole page (charts included), ms. */
  chartMs: number;
  totalMs: number;
  /** Vega-Lite warnings (none expected; a test holds it). */
  warnings: readonly string[];
  timings: readonly { name: string; ms: number }[];
};

/** A study without a detail (run on remote workers) gets one from its kept runs: one seed. */
function detailFromKept(study: ContagionStudy): ReportDetail | undefined {
  const first = study.kept[0];
  if (!first) return undefined;
  const collector = createReportDetailCollector({ keepSeed: first.seed });
  for (const result of study.kept)
    collector.add({
      mode: result.policy as ContagionStudy["modes"][number],
      sweep: study.sweep?.values[0],
      seed: result.seed,
      result,
    });
  return collector.finish();
}

export const REPORT_CSS = `
:root{--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--soft:#f9fafb}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;max-width:1280px;margin:0 auto;padding:24px 28px 64px;color:var(--ink);line-height:1.45;font-size:15px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:40px 0 8px;padding-top:12px;border-top:1px solid var(--line)}h3{font-size:16px;margin:20px 0 6px}
.sub{color:var(--muted);margin:0 0 12px}.lead{max-width:880px}.note{color:var(--muted);font-size:14px;max-width:880px}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 14px;margin:12px 0 0;padding:10px 12px;background:var(--soft);border:1px solid var(--line);border-radius:6px;font-size:14px}
nav.toc a{color:#1d4ed8;text-decoration:none}a{color:#1d4ed8}
.callout{background:#fffbeb;border:1px solid #fcd34d;border-radius:6px;padding:8px 12px;max-width:880px}
.callout.info{background:#eff6ff;border-color:#bfdbfe}
.grid{display:flex;flex-wrap:wrap;gap:20px 32px;align-items:flex-start;margin:12px 0}
figure.chart{margin:0;max-width:100%;overflow-x:auto}figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:13px;margin-top:2px;max-width:640px}
.table-wrap{overflow-x:auto;margin:10px 0 16px}
table{border-collapse:collapse;font-size:14px}caption{text-align:left;color:var(--muted);font-size:13px;padding:0 0 4px;caption-side:top}
th,td{border-bottom:1px solid var(--line);padding:5px 12px;vertical-align:top}thead th{border-bottom:2px solid #d1d5db;text-align:left;vertical-align:bottom}table.numbers thead th{text-align:right}
thead th.rowhead,tbody th{text-align:left;font-weight:normal}tbody th a{color:inherit;text-decoration:underline dotted}
table.numbers td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td small,th small{color:var(--muted)}
table.definitions td{white-space:nowrap}table.definitions td:last-child{max-width:720px;white-space:normal}table.events td:last-child{max-width:760px}
.tables{display:flex;flex-wrap:wrap;gap:8px 40px;align-items:flex-start}
.mode-dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:baseline;background:#9333ea}
${Object.entries(MODE_COLORS)
  .map(([m, c]) => `.mode-${m}{background:${c}}`)
  .join("")}
.conclusion{border-left:4px solid var(--line);padding:2px 0 2px 14px;margin:10px 0;max-width:940px}
.conclusion h3{margin:4px 0}.conclusion p{margin:4px 0}
.conclusion.better{border-color:#16a34a}.conclusion.worse{border-color:#dc2626}.conclusion.trade-off{border-color:#f59e0b}
.badge{font-size:12px;font-weight:500;color:var(--muted);border:1px solid var(--line);border-radius:10px;padding:1px 8px;margin-left:6px}
details.sweep-value{border:1px solid var(--line);border-radius:6px;padding:6px 12px;margin:10px 0}details.sweep-value>summary{cursor:pointer;font-weight:600}
.sweep-head{margin-top:24px}
table.backtest th[scope=row]{min-width:200px;white-space:normal;text-align:left}table.backtest td:last-child{white-space:normal;overflow-wrap:anywhere;min-width:280px;max-width:440px;text-align:left;font-size:13px}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 12px;overflow-x:auto;font-size:13px}
footer{margin-top:48px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:12px}
@media print{nav.toc{display:none}details.sweep-value{border:none}h2{break-before:auto}figure.chart{break-inside:avoid}}
`;

export async function renderHtmlReport(study: ContagionStudy): Promise<RenderHtmlReportReturnType> {
  const started = performance.now();
  const view = createStudyView(study, study.detail ?? detailFromKept(study));
  const charts = createChartRenderer();
  const ctx: SectionContext = { view, charts };
  const sections: Section[] = [];
  const add = (s: Section | undefined) => {
    if (s) sections.push(s);
  };
  add(conclusionsSection(ctx));
  // A sweep's own section first: it is what a sweep is run for; per-value tables follow.
  add(await sweepSection(ctx));
  add(summarySection(ctx));
  add(await distributionsSection(ctx));
  add(await timeSection(ctx));
  add(await pricesSection(ctx));
  add(await protocolsSection(ctx));
  add(await networkSection(ctx));
  add(await loansSection(ctx));
  add(eventsSection(ctx));
  add(await herdingSection(ctx));
  add(await backtestSection(ctx));
  add(definitionsSection(ctx));
  add(assumptionsSection(ctx));

  const seeds = study.seeds;
  const seedText =
    seeds.length === 1
      ? `seed ${seeds[0]}`
      : `${seeds.length} seeds (${seeds[0]}..${seeds[seeds.length - 1]})`;
  const sweep = study.sweep
    ? ` · sweep ${esc(String(study.sweep.option))} over ${study.sweep.values.length} values`
    : "";
  const settled =
    study.settlement.backend === "chain" ? "the contract on a local chain" : "the in-process ledger";
  const replay = study.scenario.pricePaths === "replay";
  const fromKept = !study.detail
    ? `<p class="callout">This study's runs were done on remote workers: charts over time, prices, protocols and the network come from one seed per mode (seed ${seeds[0]}), not from every seed.</p>`
    : "";
  const head = `<header><h1>${esc(study.scenario.title)}</h1>
<p class="sub">Contagion study · scenario <code>${esc(study.scenario.name)}</code> · ${seedText} · modes ${study.modes.map(esc).join(", ")}${sweep} · ${study.runs} runs in ${(study.durationMs / 1000).toFixed(1)} s · settled on ${settled}</p>
<p class="callout${replay ? "" : " info"}">${pricePathsText(view)}</p>${fromKept}
<nav class="toc" aria-label="Sections">${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join("")}</nav></header>`;
  const body = sections
    .map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>${s.html}</section>`)
    .join("\n");
  const chartMs = charts.renderMs;
  const totalMs = performance.now() - started;
  const footer = `<footer>Created ${esc(study.createdAt)} · ${charts.charts} charts rendered with Vega-Lite ${esc(vegaLiteVersion)} to inline SVG in ${(chartMs / 1000).toFixed(2)} s (page ${(totalMs / 1000).toFixed(2)} s) · money in US dollars, counted in token base units by the engine</footer>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Contagion study: ${esc(study.scenario.name)}</title><style>${REPORT_CSS}</style></head><body>
${head}
<main>${body}</main>
${footer}
</body></html>`;
  return {
    html,
    charts: charts.charts,
    chartMs,
    totalMs,
    warnings: charts.warnings,
    timings: charts.timings,
  };
}
