/**
 * Evaluation of the market model on its rolling-origin validation folds, beside the baselines
 * fitted on the same training rows: a dummy (prior), the realised-volatility rule, logistic
 * regression and a random forest. Per fold and pooled over the folds (2021-H2): AUROC, AUPRC,
 * Brier, ECE, lead time at a 5% false-positive rate, the curves for the report, and how the model
 * degrades when optional roles are missing. Every number here is what the report and the model
 * card print.
 */
import { fitDummyPrior } from "../baselines/dummy.ts";
import type { ProbabilisticClassifier } from "../baselines/estimator.ts";
import { fitLogisticRegression } from "../baselines/logistic-regression.ts";
import { fitRandomForest } from "../baselines/random-forest.ts";
import { fitThresholdRule } from "../baselines/threshold-rule.ts";
import { CASCADE_HORIZON_HOURS } from "../datasets/market/cascade-labels.ts";
import { HOUR_MS } from "../datasets/market/series.ts";
import type { FeatureMatrix } from "../feature-matrix.ts";
import { OPTIONAL_GROUPS, type OptionalGroup } from "../features/market/market-features.ts";
import {
  brierScore,
  expectedCalibrationError,
  type ReliabilityBin,
  reliabilityBins,
} from "../metrics/calibration.ts";
import { type LeadTimeSummary, leadTimes, summarizeLeadTimes, thresholdAtFpr } from "../metrics/lead-time.ts";
import {
  averagePrecision,
  baseRate,
  type PrPoint,
  precisionRecallCurve,
} from "../metrics/precision-recall.ts";
import { auroc, type RocPoint, rocCurve } from "../metrics/roc.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import {
  dropGroup,
  fitMarketStandardizer,
  type MarketDataset,
  modelInput,
  rowsIn,
  subset,
} from "./dataset.ts";
import { createMarketScorer } from "./model.ts";
import type { TimeSplit } from "./splits.ts";

export const LEAD_TIME_FPR = 0.05;
export const LEAD_TIME_WINDOW_HOURS = 48;
export const VOL_RULE_COLUMN = "eth_logvol_24h";
export const LR_L2 = 1e-2;

export type Predictions = { name: string; p: Float64Array; pLow?: Float64Array; pHigh?: Float64Array };

export type ModelMetrics = {
  name: string;
  auroc: number;
  auprc: number;
  brier: number;
  ece: number;
  lead: LeadTimeSummary & { threshold: number; fpr: number; leadHours: (number | null)[] };
  meanIntervalWidth?: number;
};

export type Curves = { roc: RocPoint[]; pr: PrPoint[]; reliability: ReliabilityBin[] };

export type SplitResult = {
  split: string;
  train?: { from: string; to: string; rows: number; positives: number };
  test: { from: string; to: string; rows: number; positives: number; baseRate: number; events: string[] };
  models: ModelMetrics[];
  curves: Record<string, Curves>;
};

export type DegradationRow = { inputs: string; auroc: number; auprc: number; brier: number };

export type MarketEvaluation = {
  splits: SplitResult[];
  pooled: SplitResult;
  degradation: DegradationRow[];
  timeline: { hour: string; p: number; pLow: number; pHigh: number; label: number }[];
  settings: Record<string, unknown>;
};

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** At most ~n points of a curve (the report draws them; metrics use the full curve). */
export function thin<T>(xs: T[], n = 300): T[] {
  if (xs.length <= n) return xs;
  const step = xs.length / n;
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(xs[Math.floor(k * step)]!);
  out.push(xs[xs.length - 1]!);
  return out;
}

export function scoreMetrics(params: {
  pred: Predictions;
  y: Uint8Array;
  hoursMs: Float64Array;
  eventsMs: number[];
}): { metrics: ModelMetrics; curves: Curves } {
  const { pred, y, hoursMs, eventsMs } = params;
  const p = pred.p;
  const threshold = thresholdAtFpr({ scores: p, labels: y, fpr: LEAD_TIME_FPR });
  const hours = Float64Array.from(hoursMs, (t) => t / HOUR_MS);
  const rows = leadTimes({
    hours,
    scores: p,
    threshold,
    events: eventsMs.map((t) => t / HOUR_MS),
    maxLeadHours: LEAD_TIME_WINDOW_HOURS,
  });
  const metrics: ModelMetrics = {
    name: pred.name,
    auroc: auroc(p, y),
    auprc: averagePrecision(p, y),
    brier: brierScore(p, y),
    ece: expectedCalibrationError({ probabilities: p, labels: y, bins: 10 }),
    lead: {
      ...summarizeLeadTimes(rows),
      threshold,
      fpr: LEAD_TIME_FPR,
      leadHours: rows.map((r) => r.leadHours),
    },
  };
  if (pred.pLow && pred.pHigh) {
    let w = 0;
    for (let i = 0; i < p.length; i++) w += pred.pHigh[i]! - pred.pLow[i]!;
    metrics.meanIntervalWidth = w / p.length;
  }
  return {
    metrics,
    curves: {
      roc: thin(rocCurve(p, y)),
      pr: thin(precisionRecallCurve(p, y)),
      reliability: reliabilityBins({ probabilities: p, labels: y, bins: 10, strategy: "quantile" }),
    },
  };
}

export type EvaluateMarketParameters = {
  dataset: MarketDataset;
  splits: readonly TimeSplit[];
  /** The fold models, by split name. */
  foldModels: Record<string, MlpEnsemble>;
  randomForest?: { trees: number; groups: number };
  seed?: number;
  onProgress?: (what: string) => void;
};

type FoldOutput = {
  result: SplitResult;
  preds: Predictions[];
  y: Uint8Array;
  hoursMs: Float64Array;
  events: number[];
};

function eventsIn(d: MarketDataset, fromMs: number, toMs: number): number[] {
  // An event at T is predictable from hours T - 24 h .. T - 1 h: keep those whose warning hours are in the window.
  return d.eventsMs.filter((e) => e > fromMs && e <= toMs + CASCADE_HORIZON_HOURS * HOUR_MS);
}

function evaluateFold(p: EvaluateMarketParameters, split: TimeSplit, ensemble: MlpEnsemble): FoldOutput {
  const d = p.dataset;
  const trRows = rowsIn(d, split.train);
  const teRows = rowsIn(d, split.test);
  const tr = subset(d, trRows);
  const te = subset(d, teRows);
  const events = eventsIn(d, split.test.fromMs, split.test.toMs);
  const st = fitMarketStandardizer(tr.x);
  const xtr = modelInput(tr.x, st, tr.hoursMs);
  const xte = modelInput(te.x, st, te.hoursMs);
  const seed = p.seed ?? 1;

  p.onProgress?.(`${split.name}: model`);
  const model = createMarketScorer(ensemble).scoreRows(te.x, te.hoursMs);
  const raw = createMarketScorer({ ...ensemble, calibration: null }).scoreRows(te.x, te.hoursMs);
  const preds: Predictions[] = [
    { name: "MLP ensemble (calibrated)", p: model.p, pLow: model.pLow, pHigh: model.pHigh },
    { name: "MLP ensemble (uncalibrated)", p: raw.p, pLow: raw.pLow, pHigh: raw.pHigh },
  ];
  const baselines: [string, () => ProbabilisticClassifier, FeatureMatrix][] = [
    ["logistic regression", () => fitLogisticRegression({ x: xtr, y: tr.y, l2: LR_L2 }), xte],
    ["random forest", () => fitRandomForest({ x: xtr, y: tr.y, seed, ...(p.randomForest ?? {}) }), xte],
    [
      "realised-volatility rule",
      () =>
        fitThresholdRule({ x: tr.x, y: tr.y, column: VOL_RULE_COLUMN, label: "realised-volatility rule" }),
      te.x,
    ],
    ["dummy (prior)", () => fitDummyPrior({ y: tr.y }), xte],
  ];
  for (const [name, fitBaseline, x] of baselines) {
    p.onProgress?.(`${split.name}: ${name}`);
    preds.push({ name, p: fitBaseline().predict(x) });
  }
  const result: SplitResult = {
    split: split.name,
    train: {
      from: iso(split.train.fromMs),
      to: iso(split.train.toMs),
      rows: tr.y.length,
      positives: tr.y.reduce((a, b) => a + b, 0),
    },
    test: {
      from: iso(split.test.fromMs),
      to: iso(split.test.toMs),
      rows: te.y.length,
      positives: te.y.reduce((a, b) => a + b, 0),
      baseRate: baseRate(te.y),
      events: events.map(iso),
    },
    models: [],
    curves: {},
  };
  for (const pr of preds) {
    const { metrics, curves } = scoreMetrics({ pred: pr, y: te.y, hoursMs: te.hoursMs, eventsMs: events });
    result.models.push(metrics);
    result.curves[pr.name] = curves;
  }
  return { result, preds, y: te.y, hoursMs: te.hoursMs, events };
}

const DEGRADATION: { inputs: string; drop: readonly OptionalGroup[] }[] = [
  { inputs: "all roles", drop: [] },
  ...OPTIONAL_GROUPS.map((g) => ({ inputs: `without ${g}`, drop: [g] as const })),
  {
    inputs: "prices and funding only (no Aave, no stablecoins, no stETH)",
    drop: ["aaveWeth", "aaveUsdc", "usdc", "dai", "usdt", "steth"],
  },
  { inputs: "ETH price only", drop: OPTIONAL_GROUPS },
];

export function evaluateMarket(p: EvaluateMarketParameters): MarketEvaluation {
  const folds = p.splits.map((s) => {
    const e = p.foldModels[s.name];
    if (!e) throw new Error(`no fold model for split ${s.name}: run \`npm run train\` first`);
    return evaluateFold(p, s, e);
  });
  // Pooled: the folds' out-of-sample predictions side by side (2021-H2).
  const names = folds[0]!.preds.map((x) => x.name);
  const cat = (arrs: Float64Array[]) => {
    const out = new Float64Array(arrs.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrs) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  const y = Uint8Array.from(folds.flatMap((f) => Array.from(f.y)));
  const hoursMs = cat(folds.map((f) => f.hoursMs));
  const events = folds.flatMap((f) => f.events);
  const pooled: SplitResult = {
    split: "2021-H2 (pooled folds)",
    test: {
      from: folds[0]!.result.test.from,
      to: folds[folds.length - 1]!.result.test.to,
      rows: y.length,
      positives: y.reduce((a, b) => a + b, 0),
      baseRate: baseRate(y),
      events: events.map(iso),
    },
    models: [],
    curves: {},
  };
  for (const name of names) {
    const parts = folds.map((f) => f.preds.find((x) => x.name === name)!);
    const pred: Predictions = { name, p: cat(parts.map((x) => x.p)) };
    if (parts.every((x) => x.pLow && x.pHigh)) {
      pred.pLow = cat(parts.map((x) => x.pLow!));
      pred.pHigh = cat(parts.map((x) => x.pHigh!));
    }
    const { metrics, curves } = scoreMetrics({ pred, y, hoursMs, eventsMs: events });
    pooled.models.push(metrics);
    pooled.curves[name] = curves;
  }

  // Degradation with missing roles, on the pooled folds.
  p.onProgress?.("degradation with missing roles");
  const degradation: DegradationRow[] = DEGRADATION.map(({ inputs, drop }) => {
    const ps: Float64Array[] = [];
    for (const s of p.splits) {
      const teRows = rowsIn(p.dataset, s.test);
      const te = subset(p.dataset, teRows);
      const f = {
        hoursMs: te.hoursMs,
        x: te.x,
        present: Object.fromEntries(OPTIONAL_GROUPS.map((g) => [g, new Uint8Array(te.x.rows)])),
      } as never;
      for (const g of drop) dropGroup(f, g, () => true);
      ps.push(createMarketScorer(p.foldModels[s.name]!).scoreRows(te.x, te.hoursMs).p);
    }
    const pp = cat(ps);
    return { inputs, auroc: auroc(pp, y), auprc: averagePrecision(pp, y), brier: brierScore(pp, y) };
  });

  const mlp = folds.flatMap((f) => {
    const m = f.preds[0]!;
    return Array.from(f.hoursMs, (t, i) => ({
      hour: new Date(t).toISOString(),
      p: m.p[i]!,
      pLow: m.pLow![i]!,
      pHigh: m.pHigh![i]!,
      label: f.y[i]!,
    }));
  });
  return {
    splits: folds.map((f) => f.result),
    pooled,
    degradation,
    timeline: mlp,
    settings: {
      eventsBeforeValidation: p.dataset.eventsMs.filter((t) => t < p.splits[0]!.test.fromMs).length,
      leadTimeFpr: LEAD_TIME_FPR,
      leadTimeWindowHours: LEAD_TIME_WINDOW_HOURS,
      volRuleColumn: VOL_RULE_COLUMN,
      logisticRegressionL2: LR_L2,
      randomForest: p.randomForest ?? { trees: 100, groups: 10 },
      eceBins: "10 equal-width bins",
    },
  };
}
