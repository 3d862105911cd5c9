/** The herding study's table (text and HTML) and its chart: what de-risking in unison costs. */
import { createChartRenderer } from "../report/charts/render-charts.ts";
import { esc } from "../report/html.ts";
import { REPORT_CSS } from "../report/html-report.ts";
import type { HerdingStudy } from "./run-herding.ts";

const usd = (x: number) => `${x < 0 ? "-" : "+"}$${(Math.abs(x) / 1e6).toFixed(2)}M`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const HERDING_HEADER = [
  "variant",
  "runs de-risked",
  "synchrony",
  "extra liquidations",
  "extra insolvent debt",
  "extra depositors' losses",
  "price impact",
];

export function herdingRows(study: HerdingStudy): string[][] {
  return study.summary
    .filter((s) => s.variant !== "off")
    .map((s) => [
      s.variant,
      `${s.runsDerisked}/${s.runs}`,
      s.synchrony.toFixed(2),
      usd(s.extraLiquidationsUsd),
      usd(s.extraInsolventDebtUsd),
      usd(s.extraDepositorLossUsd),
      pct(s.priceImpact),
    ]);
}

export function herdingText(study: HerdingStudy): string {
  const rows = [HERDING_HEADER, ...herdingRows(study)];
  const widths = HERDING_HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("  ");
  return [
    `Herding: de-risking only, ${study.scenario}, seeds ${study.seeds[0]}-${study.seeds.at(-1)} (against agents off, same seeds)`,
    line(rows[0]!),
    ...rows.slice(1).map(line),
    "  synchrony: largest share of the protocols that tightened doing so in one step (mean over the runs de-risked);",
    "  price impact: largest fall of a market price below off's at the same step (mean over seeds)",
  ].join("\n");
}

export async function renderHerdingHtml(study: HerdingStudy, generatedAt: string): Promise<string> {
  const charts = createChartRenderer();
  const data = study.runs
    .filter((r) => r.variant !== "off")
    .map((r) => {
      const off = study.runs.find((o) => o.variant === "off" && o.seed === r.seed)!;
      return {
        variant: r.variant,
        seed: r.seed,
        synchrony: r.synchrony,
        extraLiquidationsM: (r.liquidationsUsd - off.liquidationsUsd) / 1e6,
      };
    });
  const figure = await charts.figure({
    name: "herding",
    wide: true,
    caption:
      "Each point is one seed: how synchronised the protocols' tightening was (x) against the liquidations it added to agents off on the same price path (y).",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title: "Synchrony of de-risking and the liquidations it adds",
      width: 640,
      height: 300,
      data: { values: data },
      mark: { type: "point", filled: true, size: 70, opacity: 0.8 },
      encoding: {
        x: { field: "synchrony", type: "quantitative", title: "synchrony", scale: { domain: [0, 1] } },
        y: { field: "extraLiquidationsM", type: "quantitative", title: "extra liquidations vs off (USD M)" },
        color: { field: "variant", type: "nominal", title: "variant" },
        shape: { field: "variant", type: "nominal" },
      },
    },
  });
  const head = HERDING_HEADER.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = herdingRows(study)
    .map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Herding</title><style>${REPORT_CSS}</style></head><body><main>
<h1>Herding: protocols de-risking in unison</h1>
<p class="lead">${esc(study.scenario)}, seeds ${study.seeds[0]}-${study.seeds.at(-1)}, de-risking only, each variant against agents off on the same seeds. Variants: unison (each protocol acts on its own vote, same thresholds), unison-capped (a stance rises at most one level per ${study.capHours} h), unison-paced (a level's tightening arrives in equal parts over ${study.capHours} h), diverse (thresholds spread by 60% around the shared ones), quorum (one alert for all at half the protocols).</p>
<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>
${figure}
<footer>Generated ${esc(generatedAt)} by npm run sim:herding.</footer>
</main></body></html>
`;
}
