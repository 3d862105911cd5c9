/**
 * Distribution over seeds of one per-run metric: a box per mode (median and quartiles, whiskers
 * from the smallest to the largest seed) with every seed as a dot on it, so a reader sees the
 * spread and the outliers behind a mean. A sweep puts the swept values along x, a box per mode
 * at each.
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { type MetricDefinition, unitTitle } from "../metric-definitions.ts";
import { modeScale, valueAxis } from "./chart-theme.ts";
import type { SweepPanels } from "./sweep-panels.ts";

export type DistributionRow = { mode: string; seed: number; value: number; panel?: string | undefined };

export type DistributionSpecParameters = {
  metric: MetricDefinition;
  rows: readonly DistributionRow[];
  modes: readonly string[];
  /** Panels in order (swept values as labels) and their header title; absent: one panel. */
  panels?: SweepPanels | undefined;
};

/** Deterministic jitter in [-1, 1] from the seed, so a report renders the same every time. */
export function jitterOf(seed: number): number {
  const x = Math.sin(seed * 12.9898 + 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

export function distributionSpec({ metric, rows, modes, panels }: DistributionSpecParameters): VegaLiteSpec {
  const colors = modeScale(modes);
  const values = rows
    .filter((r) => Number.isFinite(r.value))
    .map((r) => ({ ...r, panel: r.panel ?? "", jitter: jitterOf(r.seed) }));
  const y = { field: "value", type: "quantitative", axis: valueAxis(metric.unit, unitTitle(metric)) };
  const tooltip = [
    { field: "mode", type: "nominal" },
    { field: "seed", type: "quantitative" },
    { field: "value", type: "quantitative", format: ",.0f" },
  ];
  const title = {
    text: metric.label,
    subtitle: "One dot per seed; box: quartiles and median; whiskers: min to max",
  };
  if (!panels) {
    const x = {
      field: "mode",
      type: "nominal",
      sort: colors.domain,
      title: null,
      // Band axes do not thin labels out; each mode gets a step wide enough for its name.
      axis: { labelAngle: 0, labelPadding: 4, labelOverlap: false },
    };
    const color = { field: "mode", type: "nominal", scale: colors, legend: null };
    return {
      title,
      data: { values },
      width: { step: 92 },
      height: 200,
      layer: [
        {
          mark: { type: "boxplot", extent: "min-max", size: 26, opacity: 0.35, median: { color: "#111827" } },
          encoding: { x, y, color },
        },
        {
          mark: { type: "point", filled: true, size: 22, opacity: 0.8 },
          encoding: {
            x,
            y,
            xOffset: { field: "jitter", type: "quantitative", scale: { domain: [-3, 3] } },
            color,
            tooltip,
          },
        },
      ],
    } as VegaLiteSpec;
  }
  // A sweep: the swept values along x, a box per mode at each (dots would crowd five groups).
  const x = {
    field: "panel",
    type: "ordinal",
    sort: [...panels.values],
    axis: { title: panels.title, labelAngle: 0 },
  };
  return {
    title: {
      ...title,
      subtitle: "Box per mode at each swept value: quartiles and median; whiskers: min to max",
    },
    data: { values },
    width: { step: 16 },
    height: 200,
    mark: { type: "boxplot", extent: "min-max", size: 12, median: { color: "#111827" } },
    encoding: {
      x,
      xOffset: { field: "mode", type: "nominal", sort: colors.domain },
      y,
      color: { field: "mode", type: "nominal", scale: colors, legend: { title: "Mode" } },
    },
  } as VegaLiteSpec;
}
