/**
 * Calibration of probabilities: Brier score, reliability bins and expected calibration error
 * (ECE = sum over bins of n_b / N * |mean p_b - mean y_b|).
 */
import { ModelInputError } from "../errors.ts";
import { checkScoredLabels } from "./check-inputs.ts";

export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkScoredLabels("Brier score", probabilities, labels, { probabilities: true });
  if (labels.length === 0) throw new ModelInputError("Brier score of no predictions.");
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (probabilities[i]! - labels[i]!) ** 2;
  return s / labels.length;
}

export type ReliabilityBin = {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
};

export type ReliabilityParameters = {
  probabilities: ArrayLike<number>;
  labels: ArrayLike<number>;
  bins?: number;
  /** "uniform": equal-width bins on [0, 1] (the usual ECE); "quantile": equal counts. */
  strategy?: "uniform" | "quantile";
};

/** Non-empty bins only. A probability equal to a bin edge goes to the upper bin (1 to the last). */
export function reliabilityBins({
  probabilities,
  labels,
  bins = 10,
  strategy = "uniform",
}: ReliabilityParameters): ReliabilityBin[] {
  checkScoredLabels("reliability", probabilities, labels, { probabilities: true });
  const n = labels.length;
  let edges: number[];
  if (strategy === "uniform") {
    edges = Array.from({ length: bins + 1 }, (_, k) => k / bins);
  } else {
    const sorted = Array.from(probabilities).sort((a, b) => a - b);
    edges = [0];
    for (let k = 1; k < bins; k++) edges.push(sorted[Math.min(n - 1, Math.floor((k * n) / bins))]!);
    edges.push(1);
    edges = edges.filter((e, k) => k === 0 || e > edges[k - 1]!);
  }
  const m = edges.length - 1;
  const count = new Array<number>(m).fill(0);
  const sumP = new Array<number>(m).fill(0);
  const sumY = new Array<number>(m).fill(0);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    let b = 0;
    while (b < m - 1 && p >= edges[b + 1]!) b++;
    count[b]!++;
    sumP[b]! += p;
    sumY[b]! += labels[i]!;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < m; b++) {
    if (count[b] === 0) continue;
    out.push({
      lower: edges[b]!,
      upper: edges[b + 1]!,
      count: count[b]!,
      meanPredicted: sumP[b]! / count[b]!,
      observedRate: sumY[b]! / count[b]!,
    });
  }
  return out;
}

export function expectedCalibrationError(params: ReliabilityParameters): number {
  const bins = reliabilityBins(params);
  const n = params.labels.length;
  let ece = 0;
  for (const b of bins) ece += (b.count / n) * Math.abs(b.meanPredicted - b.observedRate);
  return ece;
}
