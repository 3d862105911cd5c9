/** Backtest against history: simulated versus reported outcomes (../backtest.ts), when the study
 *  carries them. */
import { type BacktestRow, type BacktestTable, backtestRatio } from "../backtest.ts";
import { backtestChartSpec } from "../charts/backtest-chart.ts";
import type { ChartRenderer } from "../charts/render-charts.ts";
import { count, hours, pct, usd } from "../format.ts";
import { esc, table } from "../html.ts";
import type { Section, SectionContext } from "./section.ts";

const FORMAT: Record<BacktestRow["unit"], (x: number) => string> = {
  USD: usd,
  "USD per token": (x) => `$${x.toLocaleString("en-US", { maximumFractionDigits: 2 })}`,
  count,
  share: pct,
  h: hours,
};

export async function backtestSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const backtest = view.study.backtest;
  if (!backtest) return undefined;
  return { id: "backtest", title: "Backtest against history", html: await backtestHtml(backtest, charts) };
}

/** One scenario's backtest: its notes, the table and the ratio chart (also used by
 *  `npm run sim:backtest`'s page). */
export async function backtestHtml(backtest: BacktestTable, charts: ChartRenderer): Promise<string> {
  const rows = backtest.rows.map((r) => {
    const f = FORMAT[r.unit];
    const ratio = backtestRatio(r);
    const tol = r.tolerance ?? { lo: 0.5, hi: 2 };
    const within = ratio === null ? "-" : ratio >= tol.lo && ratio <= tol.hi ? "yes" : "<strong>no</strong>";
    return [
      esc(r.quantity),
      r.simulated
        ? `${f(r.simulated.value)}<br><small>[${f(r.simulated.lo)}, ${f(r.simulated.hi)}] ${esc(r.simulated.estimate)}</small>`
        : "-",
      r.reported
        ? "value" in r.reported
          ? f(r.reported.value)
          : `${f(r.reported.lo)} to ${f(r.reported.hi)}`
        : "-",
      ratio === null ? "-" : ratio.toFixed(2),
      within,
      `${esc(r.source)}${r.uncheckable ? `<br><small>cannot be checked: ${esc(r.uncheckable)}</small>` : ""}`,
    ];
  });
  const spec = backtestChartSpec({ table: backtest, perSeed: backtest.perSeed });
  const chart = spec
    ? await charts.figure({
        name: `backtest ${backtest.scenario}`,
        spec,
        caption:
          "Simulated over reported for each quantity with a reported figure; rows that cannot be checked are in the table only.",
        wide: true,
      })
    : "";
  return `${backtest.notes ? `<p class="lead">${esc(backtest.notes)}</p>` : ""}${table({
    head: ["Quantity", "Simulated", "Reported", "Sim / real", "Within tolerance", "Source"],
    rows,
    caption: `Scenario ${esc(backtest.scenario)}: tolerance is a factor of 2 unless stated`,
    className: "numbers backtest",
  })}${chart}`;
}
