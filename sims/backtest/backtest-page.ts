/** The HTML page of `npm run sim:backtest`: every scenario's table and ratio chart, self-contained
 *  (inline CSS and SVG, the study report's style). */

import type { BacktestTable } from "../report/backtest.ts";
import { createChartRenderer } from "../report/charts/render-charts.ts";
import { esc } from "../report/html.ts";
import { REPORT_CSS } from "../report/html-report.ts";
import { backtestHtml } from "../report/sections/backtest-section.ts";
import { withinTolerance } from "./backtest-markdown.ts";

export type BacktestPageParameters = { tables: readonly BacktestTable[]; generatedAt: string };

export async function renderBacktestPage({ tables, generatedAt }: BacktestPageParameters): Promise<string> {
  const charts = createChartRenderer();
  const sections: string[] = [];
  let checked = 0;
  let within = 0;
  for (const t of tables) {
    for (const r of t.rows) {
      const w = withinTolerance(r);
      if (w !== "-") checked++;
      if (w === "yes") within++;
    }
    sections.push(
      `<section id="${esc(t.scenario)}"><h2>${esc(t.scenario)}</h2>${await backtestHtml(t, charts)}</section>`,
    );
  }
  const toc = tables.map((t) => `<a href="#${esc(t.scenario)}">${esc(t.scenario)}</a>`).join(" · ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Backtest against history</title><style>${REPORT_CSS}</style></head><body><main>
<h1>Backtest against history</h1>
<p class="lead">Each named scenario replayed on its real price window with agents off, against public figures and the shipped market data. ${within} of ${checked} checkable rows lie within a factor of 2. Rows that cannot be checked say why.</p>
<nav class="toc">${toc}</nav>
${sections.join("\n")}
<footer>Generated ${esc(generatedAt)} by npm run sim:backtest; ${charts.charts} charts rendered with Vega-Lite.</footer>
</main></body></html>
`;
}
