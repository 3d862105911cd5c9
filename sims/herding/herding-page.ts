/** The herding study's table (text and HTML) and its chart: what de-risking in unison costs. The
 *  HTML is the main report's herding section (sims/report/sections/herding-section.ts) on a page. */
import { createChartRenderer } from "../report/charts/render-charts.ts";
import { esc } from "../report/html.ts";
import { REPORT_CSS } from "../report/html-report.ts";
import { herdingHtml } from "../report/sections/herding-section.ts";
import { HERDING_HEADER, herdingRows } from "./herding-table.ts";
import type { HerdingStudy } from "./run-herding.ts";

export { HERDING_HEADER, herdingRows };

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
  const body = await herdingHtml(study, createChartRenderer());
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Herding</title><style>${REPORT_CSS}</style></head><body><main>
<h1>Herding: protocols de-risking in unison</h1>
${body}
<footer>Generated ${esc(generatedAt)} by npm run sim:herding.</footer>
</main></body></html>
`;
}
