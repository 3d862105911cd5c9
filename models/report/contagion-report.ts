/**
 * The eval report of the contagion model: one self-contained HTML file (inline SVG rendered at
 * report time from Vega-Lite specs, no script, no network). Per horizon (6, 24, 72 h) on the
 * held-out families: the baseline table, ROC and PR curves, the reliability diagram and the
 * lead-time histogram at a 5% false-positive rate.
 */
import { renderVegaLiteToSvg, type VegaLiteSpec } from "../../core/charts/render-vega-lite.ts";
import type { HorizonEvaluation } from "../contagion/evaluate.ts";

import { esc, f3, f4, prSpec, reliabilitySpec, rocSpec } from "./curve-specs.ts";

/** Curves drawn: every model except the prior (a diagonal, it only crowds the legend). */
const shown = (e: HorizonEvaluation) => e.models.map((m) => m.name).filter((n) => n !== "dummy (prior)");
const ours = (e: HorizonEvaluation) => e.models[0]!.name;
const gain = (x: number) => `${x >= 0 ? "+" : "&minus;"}${Math.abs(x).toFixed(3)}`;

const RELIABILITY_BASELINES = [
  "logistic regression",
  "random forest",
  "rule: health factor, volatility, drawdown",
];
const roc = (e: HorizonEvaluation) =>
  rocSpec({ title: `ROC, ${e.horizon} h`, curves: e.curves, models: shown(e) });
const pr = (e: HorizonEvaluation) =>
  prSpec({
    title: `Precision-recall, ${e.horizon} h (base rate ${f3(e.test.baseRate)})`,
    curves: e.curves,
    models: shown(e),
    baseRate: e.test.baseRate,
  });
const reliability = (e: HorizonEvaluation) =>
  reliabilitySpec({
    title: `Reliability (10 equal-count bins), ${e.horizon} h`,
    curves: e.curves,
    models: [ours(e), ...RELIABILITY_BASELINES],
    observed: "observed event rate",
  });

/** Lead time in 12 h bins up to the 72 h window, and the events no alarm preceded. */
function leadSpec(e: HorizonEvaluation): VegaLiteSpec {
  const models = [ours(e), ...RELIABILITY_BASELINES];
  const bin = (h: number) => {
    const lo = Math.min(60, Math.floor(h / 12) * 12);
    return `${lo}-${lo + 12} h`;
  };
  const values = e.models
    .filter((m) => models.includes(m.name))
    .flatMap((m) => m.lead.leadHours.map((h) => ({ model: m.name, lead: h === null ? "missed" : bin(h) })));
  const order = ["missed", ...Array.from({ length: 6 }, (_, k) => `${k * 12}-${k * 12 + 12} h`)];
  return {
    title: `Lead time at 5% FPR, ${e.horizon} h (${e.models[0]!.lead.events} protocol failures)`,
    width: 340,
    height: 220,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "lead", type: "ordinal", sort: order, title: "hours of warning before the failure" },
      y: { aggregate: "count", type: "quantitative", title: "protocol failures" },
      color: { field: "model", type: "nominal", sort: models },
      xOffset: { field: "model", sort: models },
    },
  } as VegaLiteSpec;
}

function table(e: HorizonEvaluation): string {
  const head =
    "<tr><th>model</th><th>AUROC</th><th>AUPRC</th><th>Brier</th><th>ECE</th><th>failures warned (5% FPR)</th><th>median lead (h)</th></tr>";
  const rows = e.models
    .map(
      (m) =>
        `<tr><td>${esc(m.name)}</td><td>${f3(m.auroc)}</td><td>${f3(m.auprc)}</td><td>${f4(m.brier)}</td><td>${f4(m.ece)}</td><td>${m.lead.detected}/${m.lead.events}</td><td>${m.lead.medianLeadHours ?? "-"}</td></tr>`,
    )
    .join("");
  const t = e.targets;
  return `<p class="split">test families ${esc(e.test.families.join(", "))}: ${e.test.rows} rows, ${e.test.positives} positives (base rate ${f3(e.test.baseRate)}); baselines fitted on ${e.train.rows} training rows. Mean 90% band width ${f3(e.meanBandWidth)}.</p><table>${head}${rows}</table>
<p class="targets">Targets: AUROC &ge; ${t.aurocMin}: <b>${t.aurocMet ? "met" : "NOT met"}</b>; AUPRC &ge; best baseline (${esc(t.bestBaseline)}) + ${t.auprcOverBestBaseline}: <b>${t.auprcMet ? "met" : "NOT met"}</b>. AUPRC gain ${gain(t.auprcGain.estimate)}, ${Math.round(100 * t.auprcGain.level)}% interval [${gain(t.auprcGain.low)}, ${gain(t.auprcGain.high)}] over ${t.auprcGain.draws} redraws of the ${t.auprcGain.clusters} test runs.</p>`;
}

export type RenderContagionReportParameters = {
  evaluations: readonly HorizonEvaluation[];
  title: string;
  meta: Record<string, string>;
};

export async function renderContagionReport({
  evaluations,
  title,
  meta,
}: RenderContagionReportParameters): Promise<string> {
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
    const figs: string[] = [];
    for (const e of evaluations) figs.push(await figure(make(e), `${h}, ${e.horizon} h`));
    charts.push(`<h2>${h}</h2><div class="row">${figs.join("")}</div>`);
  }
  const metaRows = Object.entries(meta)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1500px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
.split,.targets{color:#555;font-size:0.9em}.meta td{text-align:left}
</style></head><body>
<h1>${esc(title)}</h1>
<h2>Summary</h2><table class="meta">${metaRows}</table>
<h2>Baselines</h2>
${evaluations.map((e) => `<h3>${e.horizon} h</h3>${table(e)}`).join("\n")}
${charts.join("\n")}
</body></html>
`;
}
