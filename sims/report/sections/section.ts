/** A section of the report: an anchor, a heading and its HTML. Sections build from the study
 *  view and render their charts through the shared renderer. */

import type { ChartRenderer } from "../charts/render-charts.ts";
import type { SweepPanels } from "../charts/sweep-panels.ts";
import { definitionId, esc } from "../html.ts";
import { ENGINE_OPTION_UNITS, type MetricDefinition } from "../metric-definitions.ts";
import type { StudyView } from "../study-view.ts";

export type Section = { id: string; title: string; html: string };

export type SectionContext = { view: StudyView; charts: ChartRenderer };

/** A metric's name in a table: linked to its definition, with its unit. */
export function metricCell(d: MetricDefinition): string {
  return `<a href="#${definitionId(d.key)}">${esc(d.label)}</a> <small>(${esc(d.unit)})</small>`;
}

/** Blocks per swept value: the first open, the others folded (all rendered). Without a sweep,
 *  the block's HTML as it is. */
export function perSweepValue(view: StudyView, block: (sweep: number | undefined) => string): string {
  if (!view.study.sweep) return block(undefined);
  const option = String(view.study.sweep.option);
  return view.sweepValues
    .map(
      (v, i) =>
        `<details class="sweep-value"${i === 0 ? " open" : ""}><summary>${esc(option)} = ${esc(String(v))}</summary>${block(v)}</details>`,
    )
    .join("");
}

export const note = (html: string) => `<p class="note">${html}</p>`;

/** Panels over the swept values (undefined without a sweep), titled with the option's unit as the
 *  sweep chart's axis is. */
export function sweepPanels(view: StudyView): SweepPanels | undefined {
  if (!view.study.sweep) return undefined;
  const option = String(view.study.sweep.option);
  const unit = ENGINE_OPTION_UNITS[option];
  return { title: unit ? `${option} (${unit})` : option, values: view.sweepValues.map((v) => String(v)) };
}

/** The panel a group goes in: its swept value as text. */
export const panelOf = (sweep: number | undefined) => (sweep === undefined ? undefined : String(sweep));
