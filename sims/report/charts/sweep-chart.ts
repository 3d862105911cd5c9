/**
 * A figure over the swept values of one engine option, a line per mode: the estimate at each
 * value (a point on the line) and its 95% interval as a band. Every swept value is a tick.
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { type MetricDefinition, unitTitle } from "../metric-definitions.ts";
import { MODE_SHAPES, modeScale, valueAxis } from "./chart-theme.ts";

export type SweepPoint = { mode: string; x: number; value: number; lo: number; hi: number };

export type SweepSpecParameters = {
  metric: MetricDefinition;
  /** What the estimate is: "Mean over 20 seeds" or "95th percentile over 20 seeds". */
  estimate: string;
  option: string;
  optionUnit?: string | undefined;
  values: readonly number[];
  points: readonly SweepPoint[];
};

export function sweepSpec({
  metric,
  estimate,
  option,
  optionUnit,
  values,
  points,
}: SweepSpecParameters): VegaLiteSpec {
  const colors = modeScale([...new Set(points.map((p) => p.mode))]);
  const x = {
    field: "x",
    type: "quantitative",
    scale: { zero: false, nice: false, padding: 12 },
    // Every swept value is a tick, printed as given (a tick format would round 0.25 to 0.3).
    axis: {
      title: optionUnit ? `${option} (${optionUnit})` : option,
      values: [...values],
      labelExpr: "'' + datum.value",
    },
  };
  // One legend for both layers (Vega-Lite merges them; differing legend settings conflict).
  const color = {
    field: "mode",
    type: "nominal",
    scale: colors,
    legend: { title: "Mode", symbolType: "stroke", symbolOpacity: 1, symbolStrokeWidth: 2 },
  };
  const yAxis = valueAxis(metric.unit, unitTitle(metric));
  return {
    title: { text: metric.label, subtitle: `${estimate} at each value; band: its 95% interval` },
    data: { values: points.filter((p) => Number.isFinite(p.value)) },
    width: 360,
    height: 200,
    layer: [
      {
        mark: { type: "errorband", opacity: 0.18 },
        encoding: { x, y: { field: "lo", type: "quantitative", axis: yAxis }, y2: { field: "hi" }, color },
      },
      {
        mark: { type: "line" },
        encoding: { x, y: { field: "value", type: "quantitative", axis: yAxis }, color },
      },
      {
        // A shape per mode: modes that ran the same show as overlapping shapes, not one line.
        mark: { type: "point", size: 50, filled: false, strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: "value", type: "quantitative" },
          color,
          shape: {
            field: "mode",
            type: "nominal",
            scale: { domain: colors.domain, range: colors.domain.map((m) => MODE_SHAPES[m] ?? "cross") },
            legend: { title: "Mode", symbolOpacity: 1, symbolStrokeWidth: 2 },
          },
        },
      },
    ],
  } as VegaLiteSpec;
}
