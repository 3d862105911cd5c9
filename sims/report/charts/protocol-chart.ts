/**
 * One outcome per protocol and mode, as grouped bars with the 95% interval of each bar: a share
 * of seeds (insolvent, halted) or a mean over seeds (equity, losses).
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { type MetricDefinition, unitTitle } from "../metric-definitions.ts";
import { modeScale, valueAxis } from "./chart-theme.ts";
import { type SweepPanels, sweepFacet } from "./sweep-panels.ts";

export type ProtocolBar = {
  protocol: string;
  mode: string;
  value: number;
  lo: number;
  hi: number;
  panel?: string | undefined;
};

export type ProtocolBarsSpecParameters = {
  metric: MetricDefinition;
  subtitle: string;
  protocols: readonly string[];
  bars: readonly ProtocolBar[];
  /** A row per swept value (bars carry `panel`). */
  panels?: SweepPanels | undefined;
};

export function protocolBarsSpec({
  metric,
  subtitle,
  protocols,
  bars,
  panels,
}: ProtocolBarsSpecParameters): VegaLiteSpec {
  const colors = modeScale([...new Set(bars.map((b) => b.mode))]);
  const x = {
    field: "protocol",
    type: "nominal",
    sort: [...protocols],
    axis: { title: "Protocol", labelAngle: 0 },
  };
  const xOffset = { field: "mode", type: "nominal", sort: colors.domain };
  const y = {
    field: "value",
    type: "quantitative",
    axis: valueAxis(metric.unit, unitTitle(metric)),
    ...(metric.unit === "share" ? { scale: { domain: [0, 1] } } : {}),
  };
  const layer = [
    {
      mark: { type: "bar", opacity: 0.85 },
      encoding: {
        x,
        xOffset,
        y,
        color: { field: "mode", type: "nominal", scale: colors, legend: { title: "Mode" } },
      },
    },
    {
      mark: { type: "rule", color: "#111827", strokeWidth: 1.2 },
      encoding: { x, xOffset, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
    },
  ];
  const title = { text: `${metric.label}, by protocol`, subtitle };
  const values = bars.filter((b) => Number.isFinite(b.value)).map((b) => ({ ...b, panel: b.panel ?? "" }));
  // The step is per bar (the offset band); a protocol's group is one bar per mode.
  if (panels)
    return {
      title,
      data: { values },
      facet: sweepFacet(panels),
      spec: { width: { step: 18 }, height: 120, layer },
    } as VegaLiteSpec;
  return { title, data: { values }, width: { step: 22 }, height: 200, layer } as VegaLiteSpec;
}
