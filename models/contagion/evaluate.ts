/**
 * Evaluation on the held-out test families, one table per horizon: the calibrated ensemble beside
 * baselines fitted on the same training rows (a dummy prior, logistic regression, a random
 * forest, a DebtRank threshold, an Eisenberg-Noe shortfall threshold and a health-factor and
 * volatility rule), each with AUROC, AUPRC, Brier, ECE and lead time at a 5% false-positive rate
 * (hours from the first alarm, within 72 h, to a protocol's first insolvency or halt).
 */
import { fitDummyPrior } from "../baselines/dummy.ts";
import type { ProbabilisticClassifier } from "../baselines/estimator.ts";
import { fitLogisticRegression } from "../baselines/logistic-regression.ts";
import { fitRandomForest } from "../baselines/random-forest.ts";
import { fitThresholdRule } from "../baselines/threshold-rule.ts";
import {
  createFeatureMatrix,
  type FeatureMatrix,
  fitStandardizer,
  selectRows,
  standardize,
} from "../feature-matrix.ts";
import { type Curves, thin } from "../market/evaluate.ts";
import { brierScore, expectedCalibrationError, reliabilityBins } from "../metrics/calibration.ts";
import { type ClusterBootstrapResult, clusterBootstrapAuprcGain } from "../metrics/cluster-bootstrap.ts";
import { leadTimes, summarizeLeadTimes, thresholdAtFpr } from "../metrics/lead-time.ts";
import { averagePrecision, baseRate, precisionRecallCurve } from "../metrics/precision-recall.ts";
import { auroc, rocCurve } from "../metrics/roc.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import { deriveSeed } from "../random.ts";
import type { ContagionDataset } from "./dataset.ts";
import type { ContagionHorizon } from "./features.ts";
import { createContagionDetector } from "./model.ts";
import { rowsOf, subsample } from "./train.ts";

export const LEAD_FPR = 0.05;
const MAX_LEAD_HOURS = 72;

export type ModelRow = {
  name: string;
  auroc: number;
  auprc: number;
  brier: number;
  ece: number;
  lead: {
    events: number;
    detected: number;
    medianLeadHours: number | null;
    /** Per protocol-run event: hours from the first alarm to the event, null when missed. */
    leadHours: (number | null)[];
  };
};

export type HorizonEvaluation = {
  horizon: ContagionHorizon;
  test: { rows: number; positives: number; baseRate: number; families: string[] };
  train: { rows: number; positives: number };
  models: ModelRow[];
  /** Thinned ROC and PR curves and 10 equal-count reliability bins per model, for the report. */
  curves: Record<string, Curves>;
  /** Mean width of the ensemble's 90% band on test rows. */
  meanBandWidth: number;
  targets: {
    aurocMin: number;
    auprcOverBestBaseline: number;
    aurocMet: boolean;
    auprcMet: boolean;
    bestBaseline: string;
    /** AUPRC of the ensemble minus the best baseline's, with a 90% interval over runs (each
     *  family's test runs redrawn with replacement, both models scored on the same draw). */
    auprcGain: ClusterBootstrapResult;
  };
};

export type EvaluateParameters = {
  dataset: ContagionDataset;
  horizon: ContagionHorizon;
  ensemble: MlpEnsemble;
  seed: number;
  /** Rows the baselines fit on (seeded subsample of the training rows). */
  maxBaselineRows: number;
  /** Rows the forest sees in all: each of its trees grows on its own subsample of
   *  FOREST_ROWS_PER_TREE of them (ml-cart's splits are quadratic in a tree's rows, so a tree's
   *  size is what costs; spreading the trees over more rows costs nothing). */
  maxForestRows: number;
  /** Redraws of the test runs for the AUPRC gain's interval (200 by default). */
  bootstrapDraws?: number;
};

/** Rows each of the forest's trees grows on (its own seeded subsample). */
export const FOREST_ROWS_PER_TREE = 1_200;
const FOREST_TREES = 100;

function column(m: FeatureMatrix, names: string[]): FeatureMatrix {
  const idx = names.map((n) => m.names.indexOf(n));
  const v = new Float32Array(m.rows * names.length);
  for (let i = 0; i < m.rows; i++)
    for (let k = 0; k < idx.length; k++) v[i * names.length + k] = m.values[i * m.cols + idx[k]!]!;
  return createFeatureMatrix({ rows: m.rows, names, values: v });
}

/** A logistic regression on standardised inputs (IRLS needs comparable scales). */
function standardizedLogistic(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  name: string,
  l2 = 1e-3,
): ProbabilisticClassifier {
  const s = fitStandardizer(x);
  const lr = fitLogisticRegression({ x: standardize(x, s), y, l2 });
  return { name, predict: (m) => lr.predict(standardize(m, s)) };
}

/**
 * The evaluation's random forest on `forestRows` (FOREST_TREES trees, each grown on its own
 * subsample of FOREST_ROWS_PER_TREE of them); variant-study.ts scores the same forest.
 */
export function fitEvaluationForest(
  d: ContagionDataset,
  h: ContagionHorizon,
  forestRows: readonly number[],
  seed: number,
): ProbabilisticClassifier {
  return fitRandomForest({
    x: selectRows(d.x, forestRows),
    y: Uint8Array.from(forestRows, (i) => d.labels[h][i]!),
    seed,
    trees: FOREST_TREES,
    // One group per tree: every tree its own subsample, so the forest sees all its rows.
    groups: Math.min(FOREST_TREES, Math.max(1, Math.floor(forestRows.length / FOREST_ROWS_PER_TREE))),
    maxSamples: Math.min(1, FOREST_ROWS_PER_TREE / Math.max(1, forestRows.length)),
  });
}

export function evaluateContagion(p: EvaluateParameters): HorizonEvaluation {
  const { dataset: d, horizon: h } = p;
  const trainRows = subsample(rowsOf(d, h, "train"), p.maxBaselineRows, deriveSeed(p.seed, 77, h));
  const forestRows = subsample(trainRows, p.maxForestRows, deriveSeed(p.seed, 78, h));
  const testRows = rowsOf(d, h, "test");
  const xTrain = selectRows(d.x, trainRows);
  const yTrain = Uint8Array.from(trainRows, (i) => d.labels[h][i]!);
  const xTest = selectRows(d.x, testRows);
  const yTest = Uint8Array.from(testRows, (i) => d.labels[h][i]!);
  const only = (cols: string[]) => (m: FeatureMatrix) => column(m, cols);

  const baselines: ProbabilisticClassifier[] = [
    fitDummyPrior({ y: yTrain }),
    standardizedLogistic(xTrain, yTrain, "logistic regression"),
    fitEvaluationForest(d, h, forestRows, p.seed),
    fitThresholdRule({ x: xTrain, y: yTrain, column: "system_debtrank", label: "DebtRank threshold" }),
    fitThresholdRule({
      x: xTrain,
      y: yTrain,
      column: "system_shortfall_share",
      label: "Eisenberg-Noe shortfall threshold",
    }),
    (() => {
      const cols = ["hf_p05", "exposed_vol_24h", "exposed_drawdown"];
      const m = standardizedLogistic(
        only(cols)(xTrain),
        yTrain,
        "rule: health factor, volatility, drawdown",
        1e-6,
      );
      return { name: m.name, predict: (x: FeatureMatrix) => m.predict(only(cols)(x)) };
    })(),
  ];

  const detector = createContagionDetector(p.ensemble);
  const ensembleScores = new Float64Array(xTest.rows);
  let band = 0;
  for (let i = 0; i < xTest.rows; i++) {
    const s = detector(xTest.values.subarray(i * xTest.cols, (i + 1) * xTest.cols));
    ensembleScores[i] = s.p;
    band += s.pHigh - s.pLow;
  }

  // Lead time: every row of the test families (censored ones too), per protocol-run; leadEvents
  // keeps each protocol's hours before its first distress.
  const testFamilySet = new Set(testRows.map((i) => d.family[i]!));
  const leadRows: number[] = [];
  for (let i = 0; i < d.x.rows; i++) if (testFamilySet.has(d.family[i]!)) leadRows.push(i);
  const xLead = selectRows(d.x, leadRows);
  const score = (m: ProbabilisticClassifier | "ensemble", x: FeatureMatrix) =>
    m === "ensemble"
      ? Float64Array.from(
          { length: x.rows },
          (_, i) => detector(x.values.subarray(i * x.cols, (i + 1) * x.cols)).p,
        )
      : m.predict(x);

  const curves: Record<string, Curves> = {};
  const row = (name: string, test: Float64Array, lead: Float64Array): ModelRow => {
    const threshold = thresholdAtFpr({ scores: test, labels: yTest, fpr: LEAD_FPR });
    const events = leadEvents(d, leadRows, lead, threshold);
    curves[name] = {
      roc: thin(rocCurve(test, yTest)),
      pr: thin(precisionRecallCurve(test, yTest)),
      reliability: reliabilityBins({ probabilities: test, labels: yTest, bins: 10, strategy: "quantile" }),
    };
    return {
      name,
      auroc: auroc(test, yTest),
      auprc: averagePrecision(test, yTest),
      brier: brierScore(test, yTest),
      ece: expectedCalibrationError({ probabilities: test, labels: yTest, bins: 10 }),
      lead: events,
    };
  };
  const baselineTest = baselines.map((b) => b.predict(xTest));
  const models = [
    row("MLP ensemble (calibrated)", ensembleScores, score("ensemble", xLead)),
    ...baselines.map((b, k) => row(b.name, baselineTest[k]!, b.predict(xLead))),
  ];
  const bestIndex = models.slice(1).reduce((a, m, k) => (m.auprc > models[a + 1]!.auprc ? k : a), 0);
  const best = models[bestIndex + 1]!;
  const ours = models[0]!;
  // How sure the AUPRC gain over the best baseline is: runs redrawn within their family.
  const auprcGain = clusterBootstrapAuprcGain({
    a: ensembleScores,
    b: baselineTest[bestIndex]!,
    labels: yTest,
    clusters: testRows.map((i) => runOf(d, i)),
    strata: testRows.map((i) => d.family[i]!),
    draws: p.bootstrapDraws ?? 200,
    seed: deriveSeed(p.seed, 0xb007, h),
  });
  const testFamilies = [...new Set(testRows.map((i) => d.family[i]!))].sort();
  return {
    horizon: h,
    test: {
      rows: testRows.length,
      positives: yTest.reduce((s, v) => s + v, 0),
      baseRate: baseRate(yTest),
      families: testFamilies,
    },
    train: { rows: trainRows.length, positives: yTrain.reduce((s, v) => s + v, 0) },
    models,
    curves,
    meanBandWidth: band / Math.max(1, xTest.rows),
    targets: {
      aurocMin: 0.9,
      auprcOverBestBaseline: 0.05,
      aurocMet: ours.auroc >= 0.9,
      auprcMet: ours.auprc >= best.auprc + 0.05,
      bestBaseline: best.name,
      auprcGain,
    },
  };
}

/** A row's simulated run ("family/seed"): the unit the bootstrap redraws. */
const runOf = (d: ContagionDataset, i: number) => d.track[i]!.split("/").slice(0, 2).join("/");

/** Per protocol-run: its first distress hour (if it has one after the start) and its first alarm. */
function leadEvents(d: ContagionDataset, rows: number[], scores: Float64Array, threshold: number) {
  const byTrack = new Map<string, { hours: number[]; scores: number[]; event: number | null }>();
  rows.forEach((i, k) => {
    const t = d.track[i]!;
    let g = byTrack.get(t);
    if (!g) {
      g = { hours: [], scores: [], event: null };
      byTrack.set(t, g);
    }
    // Only hours before its first distress count (the rows after it are distressed).
    const toEvent = d.hoursToEvent[i]!;
    if (g.event === null && Number.isFinite(toEvent)) g.event = d.hour[i]! + toEvent;
    if (g.event === null || d.hour[i]! < g.event) {
      g.hours.push(d.hour[i]!);
      g.scores.push(scores[k]!);
    }
  });
  const all = [];
  for (const g of byTrack.values()) {
    if (g.event === null || g.hours.length === 0) continue;
    all.push(
      ...leadTimes({
        hours: g.hours,
        scores: g.scores,
        threshold,
        events: [g.event],
        maxLeadHours: MAX_LEAD_HOURS,
      }),
    );
  }
  const s = summarizeLeadTimes(all);
  return {
    events: s.events,
    detected: s.detected,
    medianLeadHours: s.medianLeadHours,
    leadHours: all.map((e) => e.leadHours),
  };
}
