/**
 * The backtest at a glance: for each compared quantity, sim / real per seed (dots) and the median
 * (a bar), on a log axis with the accepted band (a factor of 2 either way) shaded. Ratios outside
 * [1/100, 100] (including 0: nothing simulated) sit at the axis ends, marked as clipped.
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { type BacktestTable, backtestRatio } from "../backtest.ts";

export type BacktestChartParameters = {
  table: BacktestTable;
  /** Each row's simulated value per seed (null: no simulated quantity), as runBacktest returns. */
  perSeed?: readonly (readonly number[] | null)[] | undefined;
};

const LOW = 0.01;
const HIGH = 100;
const clip = (r: number) => Math.min(HIGH, Math.max(LOW, r));

/** null when no row has both a simulated and a reported figure. */
export function backtestChartSpec({ table, perSeed }: BacktestChartParameters): VegaLiteSpec | null {
  const medians: { quantity: string; ratio: number; shown: number; clipped: boolean }[] = [];
  const seeds: { quantity: string; shown: number }[] = [];
  table.rows.forEach((row, i) => {
    const ratio = backtestRatio(row);
    if (ratio === null || !row.reported) return;
    const real = "value" in row.reported ? row.reported.value : (row.reported.lo + row.reported.hi) / 2;
    medians.push({ quantity: row.quantity, ratio, shown: clip(ratio), clipped: clip(ratio) !== ratio });
    for (const v of perSeed?.[i] ?? []) seeds.push({ quantity: row.quantity, shown: clip(v / real) });
  });
  if (medians.length === 0) return null;
  const order = medians.map((m) => m.quantity);
  const x = {
    field: "shown",
    type: "quantitative",
    scale: { type: "log", domain: [LOW, HIGH] },
    axis: { title: "simulated / reported (log scale; 1 = match)", values: [0.01, 0.1, 0.5, 1, 2, 10, 100] },
  };
  const y = { field: "quantity", type: "nominal", sort: order, axis: { title: null, labelLimit: 360 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `Backtest: ${table.scenario}`,
      subtitle: "bar: median over seeds; dots: each seed; shaded: within a factor of 2",
    },
    width: 420,
    height: { step: 26 },
    layer: [
      {
        data: { values: [{ lo: 0.5, hi: 2 }] },
        mark: { type: "rect", color: "#16a34a", opacity: 0.12 },
        encoding: { x: { field: "lo", type: "quantitative", scale: x.scale }, x2: { field: "hi" } },
      },
      {
        data: { values: seeds },
        mark: { type: "circle", size: 28, color: "#64748b", opacity: 0.6 },
        encoding: { x, y },
      },
      {
        data: { values: medians },
        mark: { type: "tick", thickness: 3, size: 18 },
        encoding: {
          x,
          y,
          color: {
            field: "clipped",
            type: "nominal",
            scale: { domain: [false, true], range: ["#1d4ed8", "#dc2626"] },
            legend: { title: "median clipped at the axis end" },
          },
          tooltip: [
            { field: "quantity", type: "nominal" },
            { field: "ratio", type: "quantitative", format: ".2f", title: "sim / real" },
          ],
        },
      },
    ],
  } as VegaLiteSpec;
}
