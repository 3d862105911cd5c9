/**
 * The report's look, shared by every chart: one colour per agents mode (the same in every chart
 * and table), fonts, sizes, and axis label formats in Vega's expression language ($1.2M, 45%).
 * Vega lays text out in Node by estimate (0.8 em per character, wider than real fonts), so
 * labels get room to spare in the browser; test/report-render.test.ts checks that no two texts
 * overlap.
 */
import type { Config } from "vega-lite";
import type { Mode } from "../../engine/engine-policy.ts";
import type { Unit } from "../metric-definitions.ts";

export const MODE_ORDER: readonly Mode[] = ["off", "negotiation", "derisking", "both"];

export const MODE_COLORS: Readonly<Record<string, string>> = {
  off: "#6b7280",
  negotiation: "#2563eb",
  derisking: "#ea580c",
  both: "#16a34a",
};

const FALLBACK = ["#9333ea", "#0891b2", "#ca8a04", "#db2777"];

/** A point shape and a dash per mode, so modes that ran the same stay visible on one another. */
export const MODE_SHAPES: Readonly<Record<string, string>> = {
  off: "circle",
  negotiation: "square",
  derisking: "triangle-up",
  both: "diamond",
};
export const MODE_DASHES: Readonly<Record<string, number[]>> = {
  off: [1, 0],
  negotiation: [6, 2],
  derisking: [2, 2],
  both: [8, 3, 2, 3],
};

export function modeOrder(a: string, b: string): number {
  const ia = MODE_ORDER.indexOf(a as Mode);
  const ib = MODE_ORDER.indexOf(b as Mode);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
}

/** Colour scale for the modes present, in the canonical order. */
export function modeScale(modes: readonly string[]) {
  const domain = [...modes].sort(modeOrder);
  return { domain, range: domain.map((m, i) => MODE_COLORS[m] ?? FALLBACK[i % FALLBACK.length]!) };
}

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const CHART_CONFIG: Config = {
  font: FONT,
  // The page labels each chart (role="img", its name, a caption) and its tables carry the numbers;
  // per-mark ARIA labels would add a label per dot and bar and double the page's size.
  aria: false,
  background: "white",
  padding: 8,
  view: { stroke: "#e5e7eb" },
  title: {
    fontSize: 14,
    fontWeight: 600,
    anchor: "start",
    offset: 10,
    subtitleColor: "#6b7280",
    subtitleFontSize: 11,
  },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
    titleColor: "#374151",
    labelColor: "#374151",
    gridColor: "#eef0f3",
    domainColor: "#9ca3af",
    tickColor: "#9ca3af",
    titlePadding: 8,
    labelOverlap: true,
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 500,
    orient: "bottom",
    direction: "horizontal",
    labelLimit: 280,
    titleLimit: 280,
  },
  header: {
    labelFontSize: 12,
    labelFontWeight: 600,
    titleFontSize: 12,
    titleFontWeight: 500,
    labelPadding: 6,
  },
  line: { strokeWidth: 1.8 },
  point: { filled: true },
};

/** d3-format in Vega: "$1.25M", "-$300k", "$0". */
export const USD_LABEL_EXPR =
  "datum.value == 0 ? '$0' : (datum.value < 0 ? '-' : '') + '$' + (abs(datum.value) >= 1e12 ? format(abs(datum.value) / 1e12, '.3~g') + 'T' : abs(datum.value) >= 1e9 ? format(abs(datum.value) / 1e9, '.3~g') + 'B' : abs(datum.value) >= 1e6 ? format(abs(datum.value) / 1e6, '.3~g') + 'M' : abs(datum.value) >= 1e3 ? format(abs(datum.value) / 1e3, '.3~g') + 'k' : format(abs(datum.value), '.3~g'))";

/** Axis properties for a value in `unit`. */
export function valueAxis(unit: Unit, title: string): Record<string, unknown> {
  if (unit === "USD" || unit === "USD x hours" || unit === "USD per hour")
    return { title, labelExpr: USD_LABEL_EXPR };
  if (unit === "share") return { title, format: ".0%" };
  // "~g" lets the tick step choose the precision (0.2, 1, 40); "~s" would print 0.5 as "500m".
  return { title, format: "~g" };
}

export const HOUR_AXIS_TITLE = "Hours since the scenario start (h)";
