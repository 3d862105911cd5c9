/**
 * The eval report of the market model: one self-contained HTML file (inline SVG charts rendered
 * at report time from Vega-Lite specs, no script, no network): the baseline table per split,
 * ROC and PR curves, reliability diagrams, lead-time histograms, the missing-role degradation and
 * the validation timeline.
 */
import { renderVegaLiteToSvg, type VegaLiteSpec } from "../../core/charts/render-vega-lite.ts";
import type { MarketEvaluation, SplitResult } from "../market/evaluate.ts";

import { esc, f3, f4, prSpec, reliabilitySpec, rocSpec } from "./curve-specs.ts";

const SHOWN = [
  "MLP ensemble (calibrated)",
  "logistic regression",
  "random forest",
  "realised-volatility rule",
  "dummy (prior)",
];

const roc = (s: SplitResult) => rocSpec({ title: `ROC, ${s.split}`, curves: s.curves, models: SHOWN });
const pr = (s: SplitResult) =>
  prSpec({
    title: `Precision-recall, ${s.split} (base rate ${f3(s.test.baseRate)})`,
    curves: s.curves,
    models: SHOWN,
    baseRate: s.test.baseRate,
  });
const reliability = (s: SplitResult) =>
  reliabilitySpec({
    title: `Reliability (10 equal-count bins), ${s.split}`,
    curves: s.curves,
    models: [
      "MLP ensemble (calibrated)",
      "MLP ensemble (uncalibrated)",
      "logistic regression",
      "random forest",
    ],
    observed: "observed cascade rate",
  });

function leadSpec(s: SplitResult): VegaLiteSpec {
  const values = s.models
    .filter((m) => SHOWN.includes(m.name))
    .flatMap((m) =>
      m.lead.leadHours.map((h) => ({
        model: m.name,
        lead: h === null ? "missed" : `${Math.floor(h / 6) * 6}-${Math.floor(h / 6) * 6 + 5} h`,
      })),
    );
  const order = ["missed", ...Array.from({ length: 8 }, (_, k) => `${k * 6}-${k * 6 + 5} h`)];
  return {
    title: `Lead time at 5% FPR, ${s.split} (${s.test.events.length} events)`,
    width: 340,
    height: 220,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "lead", type: "ordinal", sort: order, title: "hours of warning before the cascade" },
      y: { aggregate: "count", type: "quantitative", title: "events" },
      color: { field: "model", type: "nominal", sort: SHOWN },
      xOffset: { field: "model", sort: SHOWN },
    },
  } as VegaLiteSpec;
}

function timelineSpec(e: MarketEvaluation): VegaLiteSpec {
  const values = e.timeline.filter((_, i) => i % 2 === 0);
  return {
    title: "Validation timeline: calibrated probability with its 90% ensemble band; cascade hours shaded",
    width: 760,
    height: 220,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.label == 1" }],
        mark: { type: "rule", color: "#f4a6a6", opacity: 0.6 },
        encoding: { x: { field: "hour", type: "temporal" } },
      },
      {
        mark: { type: "area", opacity: 0.3, color: "#4c78a8" },
        encoding: {
          x: { field: "hour", type: "temporal", title: "hour (UTC)" },
          y: { field: "pLow", type: "quantitative", title: "P(cascade within 24 h)" },
          y2: { field: "pHigh" },
        },
      },
      {
        mark: { type: "line", strokeWidth: 1, color: "#1f3b63" },
        encoding: { x: { field: "hour", type: "temporal" }, y: { field: "p", type: "quantitative" } },
      },
    ],
  } as VegaLiteSpec;
}

function table(s: SplitResult): string {
  const head =
    "<tr><th>model</th><th>AUROC</th><th>AUPRC</th><th>Brier</th><th>ECE</th><th>events warned</th><th>median lead (h)</th><th>mean 90% band width</th></tr>";
  const rows = s.models
    .map(
      (m) =>
        `<tr><td>${esc(m.name)}</td><td>${f3(m.auroc)}</td><td>${f3(m.auprc)}</td><td>${f4(m.brier)}</td><td>${f4(m.ece)}</td><td>${m.lead.detected}/${m.lead.events}</td><td>${m.lead.medianLeadHours ?? "-"}</td><td>${m.meanIntervalWidth === undefined ? "-" : f4(m.meanIntervalWidth)}</td></tr>`,
    )
    .join("");
  const tr = s.train
    ? `train ${esc(s.train.from)} to ${esc(s.train.to)} (${s.train.rows} h, ${s.train.positives} cascade hours); `
    : "";
  return `<p class="split">${tr}test ${esc(s.test.from)} to ${esc(s.test.to)}: ${s.test.rows} h, ${s.test.positives} cascade hours (base rate ${f3(s.test.baseRate)}), events at ${esc(s.test.events.join(", ") || "none")}</p><table>${head}${rows}</table>`;
}

export type RenderMarketReportParameters = {
  evaluation: MarketEvaluation;
  title: string;
  meta: Record<string, string>;
};

export async function renderMarketReport({
  evaluation: e,
  title,
  meta,
}: RenderMarketReportParameters): Promise<string> {
  const all = [...e.splits, e.pooled];
  // Long model names: let the legends show them whole.
  const withConfig = (spec: VegaLiteSpec) =>
    ({ ...spec, config: { legend: { labelLimit: 260 } } }) as VegaLiteSpec;
  const figure = async (spec: VegaLiteSpec, name: string) =>
    `<figure>${await renderVegaLiteToSvg({ spec: withConfig(spec), name })}</figure>`;
  const charts: string[] = [];
  for (const [h, make] of [
    ["ROC curves", roc],
    ["Precision-recall curves", pr],
    ["Reliability diagrams", reliability],
    ["Lead-time histograms", leadSpec],
  ] as const) {
    const figs = await Promise.all(all.map((s) => figure(make(s), `${h}, ${s.split}`)));
    charts.push(`<h2>${h}</h2><div class="row">${figs.join("")}</div>`);
  }
  const deg = `<table><tr><th>inputs (pooled folds)</th><th>AUROC</th><th>AUPRC</th><th>Brier</th></tr>${e.degradation
    .map(
      (d) =>
        `<tr><td>${esc(d.inputs)}</td><td>${f3(d.auroc)}</td><td>${f3(d.auprc)}</td><td>${f4(d.brier)}</td></tr>`,
    )
    .join("")}</table>`;
  const metaRows = Object.entries(meta)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1500px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
.split{color:#555;font-size:0.9em}
</style></head><body>
<h1>${esc(title)}</h1>
<h2>Summary</h2><table>${metaRows}</table>
<h2>Baselines</h2>
${all.map((s) => `<h3>${esc(s.split)}</h3>${table(s)}`).join("\n")}
${charts.join("\n")}
<h2>Missing roles</h2><p>The fold models scored with roles removed (role dropout in training is what makes this possible).</p>${deg}
<h2>Timeline</h2><figure>${await renderVegaLiteToSvg({ spec: timelineSpec(e), name: "timeline" })}</figure>
</body></html>
`;
}
