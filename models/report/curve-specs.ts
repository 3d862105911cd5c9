/**
 * The chart specs both model reports draw (market-report.ts, contagion-report.ts): ROC and
 * precision-recall curves and a reliability diagram per model, from the evaluations' `Curves`.
 */
import type { VegaLiteSpec } from "../../core/charts/render-vega-lite.ts";
import type { Curves } from "../market/evaluate.ts";

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
export const f3 = (x: number) => x.toFixed(3);
export const f4 = (x: number) => x.toFixed(4);

type CurveChart = { title: string; curves: Record<string, Curves>; models: readonly string[] };

/** A diagonal reference line from 0 to `hi`. */
const diagonal = (hi: number) => ({
  data: { values: [{ a: 0 }, { a: hi }] },
  mark: { type: "line", strokeDash: [4, 4], color: "#999" },
  encoding: { x: { field: "a", type: "quantitative" }, y: { field: "a", type: "quantitative" } },
});

export function rocSpec({ title, curves, models }: CurveChart): VegaLiteSpec {
  const values = models.flatMap((m) =>
    (curves[m]?.roc ?? []).map((p) => ({ model: m, fpr: p.fpr, tpr: p.tpr })),
  );
  return {
    title,
    width: 340,
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "fpr", type: "quantitative", title: "false-positive rate" },
          y: { field: "tpr", type: "quantitative", title: "true-positive rate" },
          color: { field: "model", type: "nominal", sort: models },
        },
      },
      diagonal(1),
    ],
  } as VegaLiteSpec;
}

export function prSpec({ title, curves, models, baseRate }: CurveChart & { baseRate: number }): VegaLiteSpec {
  const values = models.flatMap((m) =>
    (curves[m]?.pr ?? []).map((p) => ({ model: m, recall: p.recall, precision: p.precision })),
  );
  return {
    title,
    width: 340,
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "recall", type: "quantitative" },
          y: { field: "precision", type: "quantitative" },
          color: { field: "model", type: "nominal", sort: models },
        },
      },
      {
        data: { values: [{ b: baseRate }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
        encoding: { y: { field: "b", type: "quantitative" } },
      },
    ],
  } as VegaLiteSpec;
}

/** Observed rate against mean predicted probability per bin; the axes end at the largest value. */
export function reliabilitySpec({
  title,
  curves,
  models,
  observed,
}: CurveChart & { observed: string }): VegaLiteSpec {
  const values = models.flatMap((m) =>
    (curves[m]?.reliability ?? []).map((b) => ({
      model: m,
      predicted: b.meanPredicted,
      observed: b.observedRate,
      count: b.count,
    })),
  );
  const hi = Math.min(1, Math.max(0.05, ...values.map((v) => Math.max(v.predicted, v.observed))));
  return {
    title,
    width: 340,
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "predicted",
            type: "quantitative",
            title: "mean predicted probability",
            scale: { domain: [0, hi] },
          },
          y: { field: "observed", type: "quantitative", title: observed, scale: { domain: [0, hi] } },
          color: { field: "model", type: "nominal", sort: models },
          tooltip: [{ field: "count", type: "quantitative" }],
        },
      },
      diagonal(hi),
    ],
  } as VegaLiteSpec;
}
