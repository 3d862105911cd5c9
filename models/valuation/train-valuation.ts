/**
 * Training and held-out evaluation of the valuation model on the loan dataset. Split by scenario
 * family: `testFamilies` are never seen in training or calibration. Conformal calibration is
 * cross-family (leave one training family out): each training family is scored by heads trained
 * on the others, so the calibration residuals are those of a crisis the model never saw, as the
 * test families will be. The final heads train on every training family.
 */

import type { LoanRow } from "../../sims/loan-dataset/loan-row.ts";
import { fitLogisticRegression } from "../baselines/logistic-regression.ts";
import { fitRandomForest } from "../baselines/random-forest.ts";
import { fitThresholdRule } from "../baselines/threshold-rule.ts";
import { ModelInputError } from "../errors.ts";
import { createFeatureMatrix, type FeatureMatrix, fitStandardizer, standardize } from "../feature-matrix.ts";
import {
  brierScore,
  expectedCalibrationError,
  type ReliabilityBin,
  reliabilityBins,
} from "../metrics/calibration.ts";
import { intervalCoverage } from "../metrics/coverage.ts";
import { averagePrecision } from "../metrics/precision-recall.ts";
import { auroc } from "../metrics/roc.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import type { MlpArchitecture } from "../mlp/mlp-weights.ts";
import { exportMlp, trainMlpClassifier } from "../mlp/tfjs-mlp.ts";
import { deriveSeed } from "../random.ts";
import {
  chooseTrackingRate,
  runTracking,
  TRACKING_TOLERANCE,
  type TrackedLoan,
  type TrackingChoice,
  type TrackingRun,
  trackedLoan,
} from "./interval-tracking.ts";
import { buildLoanFeatures, LOAN_FEATURES } from "./loan-features.ts";
import {
  conformalSpread,
  createHeadScorer,
  createValuationScorer,
  lossUpper,
  marketRisk,
  twoSidedInterval,
  type ValuationModel,
} from "./valuation-model.ts";

export type ConformalPooling = "family-balanced" | "worst-family";

export type ValuationRecipe = {
  seed: number;
  members: number;
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  alpha: number;
  /** Share of the training weight the study's own RFQs carry (importance weighting by
   *  repetition: they are what the model is asked about in the study, and few). */
  studyShare: number;
  /** The loss interval: one-sided [0, upper] (signed score) or two-sided (absolute score). */
  lossInterval: "upper" | "two-sided";
  /** How the calibration families' scores make one quantile: "family-balanced" (each family
   *  weighs the same, pooled) or "worst-family" (the largest of the families' own quantiles: a
   *  new crisis unlike the average one is the case to cover). */
  conformalPooling: ConformalPooling;
  /** The loss head's pooling if not conformalPooling. "worst-family" is a family-level bound: a new
   *  family's own quantile is below the largest of K exchangeable families' with probability
   *  K / (K + 1); family-balanced covers on average only (models/valuation/conformal-study.ts).
   *  Not the default: at the worst family's quantile the model-driven lender's haircut exceeds
   *  the collateral of every demo RFQ and it makes no loan (valuation/README.md). */
  lossConformalPooling?: ConformalPooling;
  /** Whether the loss spread adds the collateral's price risk over the tenor (marketRisk). */
  lossSpread: "market-risk" | "none";
};

export const defaultValuationRecipe: ValuationRecipe = {
  seed: 12,
  members: 4,
  hidden: [16, 8],
  epochs: 20,
  batchSize: 64,
  learningRate: 0.01,
  l2: 1e-3,
  alpha: 0.1,
  studyShare: 0.25,
  lossInterval: "upper",
  conformalPooling: "family-balanced",
  lossSpread: "market-risk",
};

/**
 * The training rows with the study-sourced ones repeated so they carry about `share` of the
 * weight (at least once each, at most 50 times): importance weighting towards the distribution
 * the lender is asked about, with the random proposals kept for coverage of the rest.
 */
export function weightStudyRows(rows: readonly LoanRow[], share: number): LoanRow[] {
  const study = rows.filter((r) => r.source === "study");
  const other = rows.length - study.length;
  if (study.length === 0 || share <= 0) return [...rows];
  const k = Math.min(50, Math.max(1, Math.round((share * other) / ((1 - share) * study.length))));
  const out: LoanRow[] = [];
  for (const r of rows) for (let i = r.source === "study" ? k : 1; i > 0; i--) out.push(r);
  return out;
}

export function loanMatrix(rows: readonly LoanRow[]): FeatureMatrix {
  const m = createFeatureMatrix({ rows: rows.length, names: LOAN_FEATURES });
  rows.forEach((r, i) => {
    buildLoanFeatures(r.observation, m.values.subarray(i * m.cols, (i + 1) * m.cols));
  });
  return m;
}

export type Head = "shortfall" | "loss";
export const target = (r: LoanRow, h: Head) => (h === "shortfall" ? (r.shortfall ? 1 : 0) : r.lossShare);

export async function trainHead(
  rows: readonly LoanRow[],
  head: Head,
  recipe: ValuationRecipe,
  seedBase: number,
  tick: () => void,
): Promise<MlpEnsemble> {
  rows = weightStudyRows(rows, recipe.studyShare ?? 0);
  const raw = loanMatrix(rows);
  const standardizer = fitStandardizer(raw);
  const x = standardize(raw, standardizer);
  const y = Float32Array.from(rows, (r) => target(r, head));
  const architecture: MlpArchitecture = {
    inputs: LOAN_FEATURES.length,
    hidden: recipe.hidden,
    output: "sigmoid",
  };
  const members: MlpEnsemble["members"] = [];
  for (let k = 0; k < recipe.members; k++) {
    const seed = deriveSeed(seedBase, k);
    // Binary cross-entropy with a share in [0, 1] as target is fractional-response regression:
    // the sigmoid output estimates the expected share (the expected loss).
    const model = await trainMlpClassifier({
      architecture,
      x,
      y,
      seed,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      l2: recipe.l2,
    });
    members.push({ seed, weights: exportMlp(model, architecture) });
    model.dispose();
    tick();
  }
  return {
    model: `valuation-${head}`,
    architecture,
    features: LOAN_FEATURES,
    standardizer,
    members,
    calibration: null,
    interval: { level: 1 - recipe.alpha, z: 1.6448536269514722 },
    training: { rows: rows.length },
  };
}

export function headScores(e: MlpEnsemble, rows: readonly LoanRow[]) {
  const scorer = createHeadScorer(e);
  const z = standardize(loanMatrix(rows), e.standardizer);
  return rows.map((_, i) => scorer.score(z.values.subarray(i * z.cols, (i + 1) * z.cols)));
}

/**
 * The (1 - alpha) quantile of scores with weights summing to 1: families, not rows, are the
 * exchangeable units when a new crisis arrives, so each calibration family counts equally
 * (a family with many loans would otherwise set the interval for all). Checked against the plain
 * conformal quantile when all weights are equal (valuation.test.ts).
 */
export function familyBalancedQuantile(
  scores: readonly number[],
  weights: readonly number[],
  alpha: number,
): number {
  if (scores.length !== weights.length || scores.length === 0)
    throw new ModelInputError(
      `family-balanced quantile: ${scores.length} scores, ${weights.length} weights.`,
    );
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const total = weights.reduce((a, b) => a + b, 0);
  // Finite-sample correction as in split conformal: one more unit of weight at +infinity.
  const unit = total / scores.length;
  const need = (1 - alpha) * (total + unit);
  let acc = 0;
  for (const i of order) {
    acc += weights[i]!;
    if (acc >= need - 1e-12) return scores[i]!;
  }
  return Number.POSITIVE_INFINITY;
}

export type TrainValuationParameters = {
  rows: readonly LoanRow[];
  testFamilies: readonly string[];
  recipe?: ValuationRecipe;
  onProgress?: (step: number, total: number, phase: string) => void;
};

export async function trainValuation(p: TrainValuationParameters): Promise<ValuationModel> {
  const recipe = p.recipe ?? defaultValuationRecipe;
  const train = p.rows.filter((r) => !p.testFamilies.includes(r.family));
  const families = [...new Set(train.map((r) => r.family))].sort();
  if (families.length < 2)
    throw new ModelInputError(
      `valuation: ${families.length} training families; cross-family calibration needs at least 2.`,
    );
  const total = (families.length + 1) * 2 * recipe.members;
  let step = 0;
  const tick = (phase: string) => () => p.onProgress?.(++step, total, phase);
  const scores: Record<Head, number[]> = { shortfall: [], loss: [] };
  // Each head's held-out loans per family, for choosing its tracking step (interval-tracking.ts).
  const streams: Record<Head, Map<string, TrackedLoan[]>> = { shortfall: new Map(), loss: new Map() };
  const familyOf: string[] = [];
  const weights: number[] = [];
  for (const [k, family] of families.entries()) {
    const fit = train.filter((r) => r.family !== family);
    const held = train.filter((r) => r.family === family);
    for (const _ of held) {
      weights.push(1 / (held.length * families.length));
      familyOf.push(family);
    }
    for (const head of ["shortfall", "loss"] as const) {
      const e = await trainHead(
        fit,
        head,
        recipe,
        deriveSeed(recipe.seed, 100 + k, head === "loss" ? 1 : 0),
        tick(`calibration: without ${family}, ${head}`),
      );
      const heldRaw = loanMatrix(held);
      headScores(e, held).forEach((s, i) => {
        const r = target(held[i]!, head) - s.mean;
        const risk =
          head === "loss" && recipe.lossSpread === "market-risk"
            ? marketRisk(heldRaw.values.subarray(i * heldRaw.cols, (i + 1) * heldRaw.cols))
            : 0;
        // The loss interval is one-sided, [0, upper]: a loss is never below 0, so a lower bound
        // at 0 always covers and the whole alpha goes to the upper tail, the one a lender
        // provisions for (signed score). The shortfall interval stays two-sided.
        const signed = head === "loss" && recipe.lossInterval === "upper";
        scores[head].push((signed ? r : Math.abs(r)) / conformalSpread(s.mean, s.sd, risk));
        const loans = streams[head].get(family) ?? [];
        streams[head].set(family, loans);
        const y = target(held[i]!, head);
        const interval = (q: number) =>
          signed
            ? { low: 0, high: lossUpper(s.mean, s.sd, risk, q) }
            : twoSidedInterval(s.mean, s.sd, risk, q);
        loans.push(trackedLoan(held[i]!, y, interval));
      });
    }
  }
  // Each calibration family's own quantile (reported; the worst one is the "worst-family" pool).
  const perFamily: Record<Head, Record<string, number>> = { shortfall: {}, loss: {} };
  for (const head of ["shortfall", "loss"] as const)
    for (const family of families) {
      const own = scores[head].filter((_, i) => familyOf[i] === family);
      perFamily[head][family] = familyBalancedQuantile(
        own,
        own.map(() => 1 / own.length),
        recipe.alpha,
      );
    }
  const poolingOf = (head: Head): ConformalPooling =>
    (head === "loss" ? recipe.lossConformalPooling : undefined) ??
    recipe.conformalPooling ??
    "family-balanced";
  const describe = (head: Head) =>
    poolingOf(head) === "worst-family"
      ? "the largest of the families' own quantiles"
      : "each family weighted equally";
  const pooledQuantile = (all: number[], head: Head) => {
    const balanced = familyBalancedQuantile(all, weights, recipe.alpha);
    if (poolingOf(head) !== "worst-family") return balanced;
    // A family with fewer than 1/alpha - 1 loans has no finite quantile of its own (CI-sized
    // data): it cannot vote; the balanced pool stays the floor.
    const finite = Object.values(perFamily[head]).filter(Number.isFinite);
    return Math.max(balanced, ...finite);
  };
  // Nested choice of each quantile's tracking step: each family's stream starts from the
  // family-balanced quantile of the other families.
  const trackingOf = (head: Head) =>
    chooseTrackingRate(
      families.map((family) => {
        const others = scores[head].map((_, i) => i).filter((i) => familyOf[i] !== family);
        const initial = familyBalancedQuantile(
          others.map((i) => scores[head][i]!),
          others.map((i) => weights[i]!),
          recipe.alpha,
        );
        return { family, initial, loans: streams[head].get(family) ?? [] };
      }),
      recipe.alpha,
    );
  const tracking = { shortfall: trackingOf("shortfall"), loss: trackingOf("loss") };
  const trackingMethod = (eta: number) =>
    `quantile tracking from the split-conformal quantile, q <- q + ${eta} (miss - ${recipe.alpha}) per resolved loan of the lender's own; step chosen on the training families' nested streams (each family's loans in time order, starting from the other families' quantile): the smallest whose coverage is within ${TRACKING_TOLERANCE} of ${1 - recipe.alpha} on average over families`;
  const nestedTable = (c: TrackingChoice) =>
    c.nested.map((n) => ({
      eta: n.eta,
      mean: n.mean,
      gap: n.gap,
      families: Object.fromEntries(n.families.map((f) => [f.family, f.coverage])),
    }));
  const shortfall = await trainHead(
    train,
    "shortfall",
    recipe,
    deriveSeed(recipe.seed, 0),
    tick("final shortfall"),
  );
  const loss = await trainHead(train, "loss", recipe, deriveSeed(recipe.seed, 1), tick("final loss"));
  return {
    shortfall,
    loss,
    conformal: {
      alpha: recipe.alpha,
      shortfall: pooledQuantile(scores.shortfall, "shortfall"),
      loss: pooledQuantile(scores.loss, "loss"),
      lossInterval: recipe.lossInterval,
      ...(recipe.lossSpread === "market-risk" ? { lossSpread: "market-risk" as const } : {}),
      lossTracking: { eta: tracking.loss.eta, method: trackingMethod(tracking.loss.eta) },
      shortfallTracking: { eta: tracking.shortfall.eta, method: trackingMethod(tracking.shortfall.eta) },
      method: `normalised split conformal on leave-one-family-out residuals of the training families; loss: ${describe("loss")}, ${recipe.lossInterval === "upper" ? "one-sided [0, upper] (signed score)" : "two-sided"}${recipe.lossSpread === "market-risk" ? ", spread + collateral vol x sqrt(tenor days)" : ""}; shortfall: ${describe("shortfall")}, two-sided`,
    },
    training: {
      recipe,
      trainFamilies: families,
      testFamilies: p.testFamilies,
      rows: train.length,
      calibrationRows: scores.loss.length,
      familyQuantiles: perFamily,
      lossTrackingNested: nestedTable(tracking.loss),
      shortfallTrackingNested: nestedTable(tracking.shortfall),
    },
  };
}

export type ValuationEvaluation = {
  rows: number;
  families: readonly string[];
  shortfallRate: number;
  coverage: {
    shortfall: number;
    loss: number;
    shortfallWidth: number;
    lossWidth: number;
    /** Loss-interval coverage per held-out family and on the study's own RFQs. */
    lossByGroup: { group: string; rows: number; coverage: number }[];
    /** The intervals tracked online by a lender that follows its loans' outcomes (each held-out
     *  family one stream from the file's quantile; interval-tracking.ts), for the heads whose file
     *  has a tracking step: pooled coverage, mean width, and per family. */
    lossTracked?: TrackedCoverage;
    shortfallTracked?: TrackedCoverage;
  };
  /** Shortfall classifiers: model and baselines on the same held-out rows. */
  shortfallTable: { name: string; auroc: number; auprc: number; brier: number; ece: number }[];
  /** Reliability of each shortfall classifier (10 equal-count bins), for the report. */
  reliability: { name: string; bins: ReliabilityBin[] }[];
  /** Expected loss: mean squared and absolute error against the realised loss share. */
  lossTable: { name: string; mse: number; mae: number }[];
};

export type TrackedCoverage = { eta: number; coverage: number; meanWidth: number; byFamily: TrackingRun[] };

/** Held-out coverage of a lender tracking one head's quantile: one stream per held-out family,
 *  from the file's quantile, with the file's step. Undefined when the file has no step for it. */
function trackedCoverage(
  m: ValuationModel,
  head: Head,
  test: readonly LoanRow[],
  testFamilies: readonly string[],
  intervalOf: (row: number, q: number) => { low: number; high: number },
): TrackedCoverage | undefined {
  const eta = (head === "loss" ? m.conformal.lossTracking : m.conformal.shortfallTracking)?.eta;
  if (eta === undefined) return undefined;
  const byFamily = testFamilies.map((family) => {
    const loans = test
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.family === family)
      .map(({ r, i }) => trackedLoan(r, target(r, head), (q) => intervalOf(i, q)));
    return runTracking({ family, initial: m.conformal[head], loans }, eta, m.conformal.alpha);
  });
  const n = byFamily.reduce((a, f) => a + f.loans, 0);
  return {
    eta,
    coverage: byFamily.reduce((a, f) => a + f.coverage * f.loans, 0) / n,
    meanWidth: byFamily.reduce((a, f) => a + f.meanWidth * f.loans, 0) / n,
    byFamily,
  };
}

export function evaluateValuation(
  m: ValuationModel,
  rows: readonly LoanRow[],
  testFamilies: readonly string[],
  seed = 1,
): ValuationEvaluation {
  const train = rows.filter((r) => !testFamilies.includes(r.family));
  const test = rows.filter((r) => testFamilies.includes(r.family));
  if (test.length === 0)
    throw new ModelInputError(`valuation: no rows in the test families ${testFamilies.join(", ")}.`);
  const scorer = createValuationScorer(m);
  const xTest = loanMatrix(test);
  const est = test.map((_, i) =>
    scorer.estimateFeatures(xTest.values.subarray(i * xTest.cols, (i + 1) * xTest.cols)),
  );
  const ys = test.map((r): number => (r.shortfall ? 1 : 0));
  const yl = test.map((r) => r.lossShare);
  const cs = intervalCoverage({
    lower: est.map((e) => e.shortfall.low),
    upper: est.map((e) => e.shortfall.high),
    target: ys,
  });
  const cl = intervalCoverage({
    lower: est.map((e) => e.loss.low),
    upper: est.map((e) => e.loss.high),
    target: yl,
  });

  const inLoss = (i: number) => yl[i]! >= est[i]!.loss.low && yl[i]! <= est[i]!.loss.high;
  const group = (name: string, keep: (r: LoanRow) => boolean) => {
    const idx = test.map((r, i) => (keep(r) ? i : -1)).filter((i) => i >= 0);
    return { group: name, rows: idx.length, coverage: idx.filter(inLoss).length / Math.max(1, idx.length) };
  };
  const lossByGroup = [
    ...testFamilies.map((f) => group(f, (r) => r.family === f)),
    group("study RFQs", (r) => r.source === "study"),
  ];
  const rowFeatures = (i: number) => xTest.values.subarray(i * xTest.cols, (i + 1) * xTest.cols);
  const lossTracked = trackedCoverage(m, "loss", test, testFamilies, (i, q) => {
    const e = scorer.estimateFeatures(rowFeatures(i), { loss: q });
    return { low: e.loss.low, high: e.loss.high };
  });
  const shortfallTracked = trackedCoverage(m, "shortfall", test, testFamilies, (i, q) => {
    const e = scorer.estimateFeatures(rowFeatures(i), { shortfall: q });
    return { low: e.shortfall.low, high: e.shortfall.high };
  });
  const xTrainRaw = loanMatrix(train);
  const st = fitStandardizer(xTrainRaw);
  const xTrain = standardize(xTrainRaw, st);
  const xT = standardize(xTest, st);
  const yTrain = train.map((r): number => (r.shortfall ? 1 : 0));
  const lr = fitLogisticRegression({ x: xTrain, y: yTrain, l2: 1e-3 });
  const rf = fitRandomForest({ x: xTrain, y: yTrain, seed, trees: 100, minLeafSamples: 10 });
  const rule = fitThresholdRule({
    x: xTrainRaw,
    y: yTrain,
    column: "collateral_coverage",
    label: "coverage rule",
  });
  const prior = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  // Loss given shortfall in training: turns a shortfall probability into an expected loss.
  const short = train.filter((r) => r.shortfall);
  const lgd = short.reduce((s, r) => s + r.lossShare, 0) / Math.max(1, short.length);
  const meanLoss = train.reduce((s, r) => s + r.lossShare, 0) / train.length;
  const classifiers: [string, ArrayLike<number>][] = [
    ["valuation model (MLP ensemble)", est.map((e) => e.shortfall.p)],
    ["logistic regression", lr.predict(xT)],
    ["random forest", rf.predict(xT)],
    ["coverage rule", rule.predict(xTest)],
    ["prior (dummy)", ys.map(() => prior)],
  ];
  const shortfallTable = classifiers.map(([name, p]) => ({
    name,
    auroc: auroc(p, ys),
    auprc: averagePrecision(p, ys),
    brier: brierScore(p, ys),
    ece: expectedCalibrationError({ probabilities: p, labels: ys }),
  }));
  const reliability = classifiers.slice(0, 3).map(([name, p]) => ({
    name,
    bins: reliabilityBins({ probabilities: p, labels: ys, strategy: "quantile" }),
  }));
  const lossPreds: [string, ArrayLike<number>][] = [
    ["valuation model (MLP ensemble)", est.map((e) => e.loss.expected)],
    ["logistic regression x mean loss given shortfall", Array.from(lr.predict(xT), (p) => p * lgd)],
    ["random forest x mean loss given shortfall", Array.from(rf.predict(xT), (p) => p * lgd)],
    ["mean loss (dummy)", yl.map(() => meanLoss)],
  ];
  const lossTable = lossPreds.map(([name, p]) => {
    let se = 0;
    let ae = 0;
    for (let i = 0; i < yl.length; i++) {
      se += (p[i]! - yl[i]!) ** 2;
      ae += Math.abs(p[i]! - yl[i]!);
    }
    return { name, mse: se / yl.length, mae: ae / yl.length };
  });
  return {
    rows: test.length,
    families: testFamilies,
    shortfallRate: ys.reduce((a, b) => a + b, 0) / ys.length,
    coverage: {
      shortfall: cs.coverage,
      loss: cl.coverage,
      shortfallWidth: cs.meanWidth,
      lossWidth: cl.meanWidth,
      lossByGroup,
      ...(lossTracked ? { lossTracked } : {}),
      ...(shortfallTracked ? { shortfallTracked } : {}),
    },
    shortfallTable,
    reliability,
    lossTable,
  };
}
