/**
 * The exposure network as node-link panels: protocols on a circle, an arrow from A to B when A
 * stands to lose if B fails (deposits, credit lines, negotiated loans net of collateral, tokens B
 * issued that A holds), its width growing with the exposure. Nodes are shaded by the share of
 * seeds in which the protocol was insolvent at that point. One panel for the start, one per
 * mode for the end; exposures are means over seeds.
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { USD_LABEL_EXPR } from "./chart-theme.ts";

export type NetworkPanel = {
  name: string;
  /** exposure[i * n + j], USD. */
  exposures: readonly number[];
  /** Share of seeds insolvent, per protocol; absent (the start) draws neutral nodes. */
  insolventShare?: readonly number[] | undefined;
};

export type NetworkSpecParameters = { protocols: readonly string[]; panels: readonly NetworkPanel[] };

const NODE_RADIUS = 0.16;
const LABEL_RADIUS = 1.38;

export function circleLayout(n: number): { x: number; y: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const angle = Math.PI / 2 - (2 * Math.PI * i) / Math.max(1, n);
    return { x: Math.cos(angle), y: Math.sin(angle) };
  });
}

export function networkSpec({ protocols, panels }: NetworkSpecParameters): VegaLiteSpec {
  const n = protocols.length;
  const at = circleLayout(n);
  const values: Record<string, unknown>[] = [];
  for (const panel of panels) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const e = panel.exposures[i * n + j] ?? 0;
        if (i === j || !(e >= 1)) continue;
        const a = at[i]!;
        const b = at[j]!;
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const len = Math.hypot(dx, dy) || 1;
        // Offset sideways so A->B and B->A do not lie on top of each other.
        const ox = (dy / len) * 0.05;
        const oy = (-dx / len) * 0.05;
        const x1 = a.x + (dx / len) * NODE_RADIUS + ox;
        const y1 = a.y + (dy / len) * NODE_RADIUS + oy;
        const x2 = b.x - (dx / len) * (NODE_RADIUS + 0.02) + ox;
        const y2 = b.y - (dy / len) * (NODE_RADIUS + 0.02) + oy;
        values.push({
          panel: panel.name,
          layer: "edge",
          x: x1,
          y: y1,
          x2,
          y2,
          exposure: e,
          angle: (Math.atan2(dx, dy) * 180) / Math.PI,
          what: `${protocols[i]} exposed to ${protocols[j]}`,
        });
      }
    }
    protocols.forEach((id, i) => {
      values.push({
        panel: panel.name,
        layer: "node",
        x: at[i]!.x,
        y: at[i]!.y,
        share: panel.insolventShare?.[i] ?? null,
        id,
      });
      values.push({
        panel: panel.name,
        layer: "label",
        x: at[i]!.x * LABEL_RADIUS,
        y: at[i]!.y * LABEL_RADIUS,
        id,
      });
    });
  }
  const scale = { domain: [-1.75, 1.75], nice: false };
  const x = { field: "x", type: "quantitative", scale, axis: null };
  const y = { field: "y", type: "quantitative", scale, axis: null };
  return {
    title: {
      text: "Exposure network",
      subtitle:
        "Arrow A to B: A loses if B fails; width: exposure, mean over seeds; shade: share of seeds insolvent at the end",
    },
    data: { values },
    facet: { field: "panel", type: "nominal", sort: panels.map((p) => p.name), header: { title: null } },
    columns: Math.min(3, panels.length),
    spec: {
      width: 250,
      height: 250,
      view: { stroke: null },
      layer: [
        {
          transform: [{ filter: "datum.layer === 'edge'" }],
          mark: { type: "rule", color: "#9ca3af", opacity: 0.9 },
          encoding: {
            x,
            y,
            x2: { field: "x2" },
            y2: { field: "y2" },
            strokeWidth: {
              field: "exposure",
              type: "quantitative",
              scale: { type: "sqrt", range: [0.6, 7] },
              legend: { title: "Exposure (USD)", labelExpr: USD_LABEL_EXPR, orient: "bottom" },
            },
            tooltip: [
              { field: "what", type: "nominal", title: "Edge" },
              { field: "exposure", type: "quantitative", format: "$,.0f", title: "Exposure" },
            ],
          },
        },
        {
          transform: [
            { filter: "datum.layer === 'edge'" },
            { calculate: "datum.x2", as: "ax" },
            { calculate: "datum.y2", as: "ay" },
          ],
          mark: { type: "point", shape: "triangle-up", filled: true, color: "#6b7280", size: 70, opacity: 1 },
          encoding: {
            x: { field: "ax", type: "quantitative", scale, axis: null },
            y: { field: "ay", type: "quantitative", scale, axis: null },
            angle: {
              field: "angle",
              type: "quantitative",
              scale: { domain: [-360, 360], range: [-360, 360] },
            },
          },
        },
        {
          transform: [{ filter: "datum.layer === 'node' && datum.share === null" }],
          mark: {
            type: "circle",
            size: 700,
            stroke: "#374151",
            strokeWidth: 1,
            opacity: 1,
            color: "#ffffff",
          },
          encoding: { x, y, tooltip: [{ field: "id", type: "nominal", title: "Protocol" }] },
        },
        {
          transform: [{ filter: "datum.layer === 'node' && datum.share !== null" }],
          mark: { type: "circle", size: 700, stroke: "#374151", strokeWidth: 1, opacity: 1 },
          encoding: {
            x,
            y,
            color: {
              field: "share",
              type: "quantitative",
              scale: { domain: [0, 1], range: ["#f3f4f6", "#dc2626"] },
              legend: {
                title: "Insolvent (share of seeds)",
                format: ".0%",
                orient: "bottom",
                gradientLength: 120,
              },
            },
            tooltip: [
              { field: "id", type: "nominal", title: "Protocol" },
              { field: "share", type: "quantitative", format: ".0%", title: "Insolvent in" },
            ],
          },
        },
        {
          transform: [{ filter: "datum.layer === 'label'" }],
          mark: { type: "text", fontSize: 11, fontWeight: 600, color: "#111827" },
          encoding: { x, y, text: { field: "id" } },
        },
      ],
    },
    resolve: { scale: { strokeWidth: "shared", color: "shared" } },
  } as VegaLiteSpec;
}
