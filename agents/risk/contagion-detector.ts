/**
 * What the risk loop asks about contagion. The rule detector (rule-detector.ts) ships now; the
 * learned contagion model (model-detector.ts) plugs in behind the same interface: features in, a
 * probability per horizon with an uncertainty band out. Floats inside; the risk loop converts to
 * ppm integers at its wire boundary (toEstimatePpm).
 */
import type { ContagionEstimate } from "../../negotiation/risk/risk-schemas.ts";
import type { RiskFeatureValues } from "./risk-features.ts";

export type ContagionView = {
  horizonHours: number;
  probability: number;
  low: number;
  high: number;
};

export interface ContagionDetector {
  /** Shown in snapshots and evidence, e.g. "rule-v1" or a model card's id. */
  readonly id: string;
  /** What it reads: "summary" (default) the four RiskFeatureValues only; "book" also the contagion
   *  model's observation (agents/risk/model-features.ts), which needs the adapter's book and
   *  peers' published books. */
  readonly reads?: "summary" | "book";
  /** One view per horizon the detector covers, shortest first. Must be synchronous and cheap: it
   *  sits on the risk loop's hot path (bench: p99 under 1 ms per decision). `observed`: the model's
   *  observation (CONTAGION_FEATURES order), given to "book" detectors. */
  estimate(features: RiskFeatureValues, observed?: Float32Array): ContagionView[];
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** The float-to-integer boundary of the risk loop: probabilities to ppm, band ordered. */
export function toEstimatePpm(v: ContagionView): ContagionEstimate {
  const p = Math.round(clamp01(v.probability) * 1e6);
  const low = Math.min(p, Math.round(clamp01(v.low) * 1e6));
  const high = Math.max(p, Math.round(clamp01(v.high) * 1e6));
  return { horizonHours: v.horizonHours, probabilityPpm: p, lowPpm: low, highPpm: high };
}
