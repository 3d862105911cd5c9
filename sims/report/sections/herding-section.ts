/**
 * Herding (issue 13): when the herding study ran alongside (npm run sim runs both), the main report
 * shows its comparison: each variant's table row against agents off on the same seeds, and the chart
 * of synchrony against the liquidations de-risking added. sims/herding/herding-page.ts shows the
 * same on its own page.
 */
import { HERDING_HEADER, herdingRows } from "../../herding/herding-table.ts";
import type { HerdingStudy } from "../../herding/run-herding.ts";
import type { ChartRenderer } from "../charts/render-charts.ts";
import { esc } from "../html.ts";
import type { Section, SectionContext } from "./section.ts";

export function herdingSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const herding = view.study.herding;
  if (!herding) return Promise.resolve(undefined);
  return herdingHtml(herding, charts).then((html) => ({
    id: "herding",
    title: "Herding: protocols de-risking in unison",
    html,
  }));
}

/** The variants explained, the table and the chart. */
export async function herdingHtml(study: HerdingStudy, charts: ChartRenderer): Promise<string> {
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
        x: {
          field: "synchrony",
          type: "quantitative",
          title: "synchrony (largest share of the tightening protocols in one step, 0-1)",
          scale: { domain: [0, 1] },
        },
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
  return `<p class="lead">${esc(study.scenario)}, seeds ${study.seeds[0]}-${study.seeds.at(-1)}, de-risking only, each variant against agents off on the same seeds. Variants: unison (each protocol acts on its own vote, same thresholds), unison-capped (a stance rises at most one level per ${study.capHours} h), unison-paced (a level's tightening arrives in equal parts over ${study.capHours} h), diverse (thresholds spread by 60% around the shared ones), quorum (one alert for all at half the protocols), model-shared (each protocol acts on its own vote from the learned 24 h contagion model, every protocol the same shipped ensemble), model-diverse (the same, each protocol one member of that ensemble, trained from a different seed). Synchrony: the largest share of the protocols that tightened doing so in one step (mean over the runs de-risked); price impact: the largest fall of a market price below off's at the same step (mean over seeds).</p>
<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>
${figure}`;
}
