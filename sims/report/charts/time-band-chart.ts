/**
 * One per-step series over the scenario's hours, a panel per mode: the median over seeds as a
 * line, the 5th-95th percentile over seeds as a band, and the baseline mode's median (agents off)
 * dashed in every other panel for comparison. Panels share the y scale. A sweep gets a row of
 * panels per swept value.
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { type SeriesDefinition, unitTitle } from "../metric-definitions.ts";
import type { Band } from "../report-detail.ts";
import { HOUR_AXIS_TITLE, modeScale, valueAxis } from "./chart-theme.ts";
import { type SweepPanels, sweepFacet } from "./sweep-panels.ts";

export type TimeBandGroup = { mode: string; band: Band; panel?: string | undefined };

export type TimeBandSpecParameters = {
  series: SeriesDefinition;
  hours: readonly number[];
  groups: readonly TimeBandGroup[];
  /** Drawn dashed in the other panels. */
  baseline?: string | undefined;
  seeds: number;
  /** Rows of panels, one per swept value (groups carry `panel`). */
  panels?: SweepPanels | undefined;
};

export function timeBandSpec({
  series,
  hours,
  groups,
  baseline,
  seeds,
  panels,
}: TimeBandSpecParameters): VegaLiteSpec {
  const colors = modeScale([...new Set(groups.map((g) => g.mode))]);
  const values = groups.flatMap((g) => {
    const base = groups.find((b) => b.mode === baseline && b.panel === g.panel);
    return hours.map((hour, i) => ({
      hour,
      mode: g.mode,
      panel: g.panel ?? "",
      median: g.band.median[i],
      lo: g.band.lo[i],
      hi: g.band.hi[i],
      baseline: base && g.mode !== baseline ? base.band.median[i] : null,
    }));
  });
  const hasBaseline = values.some((v) => v.baseline !== null);
  const x = { field: "hour", type: "quantitative", axis: { title: HOUR_AXIS_TITLE }, scale: { nice: false } };
  const color = { field: "mode", type: "nominal", scale: colors, legend: null };
  const layer: unknown[] = [
    {
      mark: { type: "area", opacity: 0.22 },
      encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
    },
    {
      mark: { type: "line" },
      encoding: {
        x,
        y: { field: "median", type: "quantitative", axis: valueAxis(series.unit, unitTitle(series)) },
        color,
      },
    },
  ];
  if (hasBaseline)
    layer.push({
      transform: [{ filter: "datum.baseline !== null" }],
      mark: { type: "line", strokeDash: [4, 3], color: "#374151", strokeWidth: 1.2 },
      encoding: { x, y: { field: "baseline", type: "quantitative" } },
    });
  const subtitle = `Line: median over ${seeds} seed${seeds === 1 ? "" : "s"}; band: 5th to 95th percentile${
    hasBaseline ? `; dashed: ${baseline} median` : ""
  }`;
  const modeFacet = { field: "mode", type: "nominal", sort: colors.domain, header: { title: null } };
  if (panels)
    return {
      title: { text: series.label, subtitle },
      data: { values },
      facet: { ...sweepFacet(panels), column: modeFacet },
      spec: { width: 230, height: 110, layer },
      resolve: { scale: { y: "shared" } },
    } as VegaLiteSpec;
  return {
    title: { text: series.label, subtitle },
    data: { values },
    facet: modeFacet,
    columns: Math.min(2, groups.length),
    spec: { width: 380, height: 170, layer },
    resolve: { scale: { y: "shared" } },
  } as VegaLiteSpec;
}
