/**
 * One asset's price over the scenario: the scenario's price path over seeds (the outside market
 * before the simulated sales: median and 5th-95th percentile band), the real window as it
 * happened (when the scenario replays real data), and the market price in the simulated venues
 * after liquidation and fire-sale impact, median over seeds per mode. A sweep gets a panel per
 * swept value (the path and the real window are the same in each).
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import type { Band } from "../report-detail.ts";
import { HOUR_AXIS_TITLE, MODE_COLORS, MODE_DASHES, modeOrder, USD_LABEL_EXPR } from "./chart-theme.ts";
import { type SweepPanels, sweepFacet } from "./sweep-panels.ts";

export type PriceSpecParameters = {
  symbol: string;
  hours: readonly number[];
  /** The price path over seeds; absent when unknown (then only the market lines). */
  path?: Band | undefined;
  /** The real window, replayed. */
  real?: readonly number[] | undefined;
  market: readonly { mode: string; band: Band; panel?: string | undefined }[];
  seeds: number;
  panels?: SweepPanels | undefined;
};

const REAL_LABEL = "Real window, replayed";
const PATH_LABEL = "Price path, median over seeds";

export function priceSpec({
  symbol,
  hours,
  path,
  real,
  market,
  seeds,
  panels,
}: PriceSpecParameters): VegaLiteSpec {
  const modes = [...new Set(market.map((m) => m.mode))].sort(modeOrder);
  const panelNames = panels ? [...panels.values] : [""];
  const names: string[] = [];
  const colors: string[] = [];
  const dashes: number[][] = [];
  const values: Record<string, unknown>[] = [];
  const line = (name: string, color: string, dash: number[]) => {
    if (names.includes(name)) return;
    names.push(name);
    colors.push(color);
    dashes.push(dash);
  };
  const addLine = (name: string, panel: string, ys: readonly number[]) =>
    hours.forEach((hour, i) => {
      const value = ys[i];
      if (value !== undefined && Number.isFinite(value)) values.push({ hour, panel, series: name, value });
    });
  if (real) line(REAL_LABEL, "#111827", [1, 0]);
  if (path) line(PATH_LABEL, "#6b7280", [5, 3]);
  for (const m of modes) line(`Market, ${m}`, MODE_COLORS[m] ?? "#9333ea", MODE_DASHES[m] ?? [1, 0]);
  for (const panel of panelNames) {
    if (real) addLine(REAL_LABEL, panel, real);
    if (path) {
      addLine(PATH_LABEL, panel, path.median);
      for (const [i, hour] of hours.entries())
        values.push({ hour, panel, series: "band", lo: path.lo[i], hi: path.hi[i] });
    }
  }
  for (const m of market) addLine(`Market, ${m.mode}`, m.panel ?? "", m.band.median);
  const x = { field: "hour", type: "quantitative", axis: { title: HOUR_AXIS_TITLE }, scale: { nice: false } };
  const legend = { title: null, columns: 2, symbolType: "stroke", symbolStrokeWidth: 2 };
  const layer = [
    ...(path
      ? [
          {
            transform: [{ filter: "datum.series === 'band'" }],
            mark: { type: "area", color: "#9ca3af", opacity: 0.25 },
            encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
          },
        ]
      : []),
    {
      transform: [{ filter: "datum.series !== 'band'" }],
      mark: { type: "line", strokeWidth: 1.6 },
      encoding: {
        x,
        y: {
          field: "value",
          type: "quantitative",
          scale: { zero: false },
          axis: { title: `USD per ${symbol}`, labelExpr: USD_LABEL_EXPR },
        },
        color: { field: "series", type: "nominal", scale: { domain: names, range: colors }, legend },
        // Same field and legend as the colour: one legend whose symbols show the dashes.
        strokeDash: { field: "series", type: "nominal", scale: { domain: names, range: dashes }, legend },
      },
    },
  ];
  const title = {
    text: `${symbol} price`,
    subtitle: `${path ? `Grey band: price path, 5th to 95th percentile over ${seeds} seed${seeds === 1 ? "" : "s"}; ` : ""}market lines: after the simulated sales`,
  };
  if (panels)
    return {
      title,
      data: { values },
      facet: sweepFacet(panels),
      spec: { width: 460, height: 120, layer },
    } as VegaLiteSpec;
  return { title, data: { values }, width: 520, height: 220, layer } as VegaLiteSpec;
}
