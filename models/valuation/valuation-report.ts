/**
 * The eval report of the valuation model: one self-contained HTML file (inline SVG charts from
 * Vega-Lite specs, no script, no network): the shortfall baseline table, the expected-loss table,
 * the 90% interval coverage (overall, per held-out family, on the study's own RFQs) against the
 * 88-92% target band, and reliability diagrams of the model and the learned baselines.
 */
import { renderVegaLiteToSvg, type VegaLiteSpec } from "../../core/charts/render-vega-lite.ts";
import type { ValuationEvaluation } from "./train-valuation.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const f3 = (x: number) => x.toFixed(3);
const f4 = (x: number) => x.toFixed(4);

function reliabilitySpec(e: ValuationEvaluation): VegaLiteSpec {
  const values = e.reliability.flatMap((r) =>
    r.bins.map((b) => ({ model: r.name, predicted: b.meanPredicted, observed: b.observedRate })),
  );
  return {
    title: "Shortfall reliability (10 equal-count bins), held-out families",
    width: 360,
    height: 280,
    data: { values },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "predicted",
            type: "quantitative",
            title: "mean predicted probability",
            scale: { domain: [0, 1] },
          },
          y: {
            field: "observed",
            type: "quantitative",
            title: "observed shortfall rate",
            scale: { domain: [0, 1] },
          },
          color: { field: "model", type: "nominal" },
        },
      },
      {
        data: { values: [{ a: 0 }, { a: 1 }] },
        mark: { type: "line", strokeDash: [4, 4], color: "#999" },
        encoding: { x: { field: "a", type: "quantitative" }, y: { field: "a", type: "quantitative" } },
      },
    ],
    config: { legend: { labelLimit: 260 } },
  } as VegaLiteSpec;
}

/** The intervals tracked by the lender's own outcomes (interval-tracking.ts), when evaluated. */
function trackedRows(e: ValuationEvaluation): { group: string; rows: number; coverage: number }[] {
  return (["loss", "shortfall"] as const).flatMap((head) => {
    const t = head === "loss" ? e.coverage.lossTracked : e.coverage.shortfallTracked;
    if (!t) return [];
    return [
      { group: `${head}, all held-out (step ${t.eta})`, rows: e.rows, coverage: t.coverage },
      ...t.byFamily.map((g) => ({ group: `${head}, ${g.family}`, rows: g.loans, coverage: g.coverage })),
    ];
  });
}

function coverageSpec(e: ValuationEvaluation): VegaLiteSpec {
  const values = [
    { group: "all held-out (loss)", coverage: e.coverage.loss },
    { group: "all held-out (shortfall)", coverage: e.coverage.shortfall },
    ...e.coverage.lossByGroup.map((g) => ({ group: `${g.group} (loss, ${g.rows})`, coverage: g.coverage })),
    ...trackedRows(e).map((r) => ({ group: `tracked: ${r.group}`, coverage: r.coverage })),
  ];
  return {
    title: "90% interval coverage (target band 0.88-0.92)",
    width: 360,
    height: 24 * values.length,
    layer: [
      {
        data: { values: [{ lo: 0.88, hi: 0.92 }] },
        mark: { type: "rect", color: "#cde8cd" },
        encoding: { x: { field: "lo", type: "quantitative", title: null }, x2: { field: "hi" } },
      },
      {
        data: { values },
        mark: { type: "bar" },
        encoding: {
          y: { field: "group", type: "nominal", title: null, sort: null },
          x: { field: "coverage", type: "quantitative", title: "coverage", scale: { domain: [0, 1] } },
          opacity: { value: 0.85 },
        },
      },
    ],
  } as VegaLiteSpec;
}

export async function renderValuationReport(p: {
  evaluation: ValuationEvaluation;
  title: string;
  meta: Record<string, string>;
}): Promise<string> {
  const e = p.evaluation;
  const shortfall = `<table><tr><th>shortfall</th><th>AUROC</th><th>AUPRC</th><th>Brier</th><th>ECE</th></tr>${e.shortfallTable
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}</td><td>${f3(r.auroc)}</td><td>${f3(r.auprc)}</td><td>${f3(r.brier)}</td><td>${f3(r.ece)}</td></tr>`,
    )
    .join("")}</table>`;
  const loss = `<table><tr><th>expected loss</th><th>MSE</th><th>MAE</th></tr>${e.lossTable
    .map((r) => `<tr><td>${esc(r.name)}</td><td>${f4(r.mse)}</td><td>${f4(r.mae)}</td></tr>`)
    .join("")}</table>`;
  const coverage = `<table><tr><th>90% interval</th><th>loans</th><th>coverage</th></tr>
<tr><td>loss, all held-out</td><td>${e.rows}</td><td>${f3(e.coverage.loss)}</td></tr>
<tr><td>shortfall, all held-out</td><td>${e.rows}</td><td>${f3(e.coverage.shortfall)}</td></tr>
${e.coverage.lossByGroup.map((g) => `<tr><td>loss, ${esc(g.group)}</td><td>${g.rows}</td><td>${f3(g.coverage)}</td></tr>`).join("")}
${trackedRows(e)
  .map(
    (r) =>
      `<tr><td>tracked by the lender's outcomes: ${esc(r.group)}</td><td>${r.rows}</td><td>${f3(r.coverage)}</td></tr>`,
  )
  .join("")}</table>`;
  const meta = Object.entries(p.meta)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join("");
  const fig = async (spec: VegaLiteSpec, name: string) =>
    `<figure>${await renderVegaLiteToSvg({ spec, name })}</figure>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(p.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
</style></head><body>
<h1>${esc(p.title)}</h1>
<h2>Summary</h2><table>${meta}</table>
<h2>Held-out families: ${esc(e.families.join(", "))} (${e.rows} loans, shortfall rate ${f3(e.shortfallRate)})</h2>
${shortfall}
${loss}
<h2>Interval coverage</h2>
${coverage}
<div class="row">${await fig(coverageSpec(e), "coverage")}${await fig(reliabilitySpec(e), "reliability")}</div>
</body></html>
`;
}
