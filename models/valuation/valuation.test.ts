/**
 * The valuation model end to end at CI size: a small loan dataset (deterministic per seed), a
 * quick training with cross-family conformal calibration, a held-out evaluation with baselines,
 * the weights file round trip, the shipped model equal to tfjs within 1e-5, and the bad inputs
 * (NaN features, wrong-shape weights, a missing file) as typed errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateLoanDataset } from "../../sims/loan-dataset/generate-loan-dataset.ts";
import type { LoanRow } from "../../sims/loan-dataset/loan-row.ts";
import { NonFiniteFeatureError, WeightsFileError } from "../errors.ts";
import { mlpFromWeights, predictTfjs } from "../mlp/tfjs-mlp.ts";
import { selectBackend } from "../runtime/backend.ts";
import { conformalQuantile } from "../uncertainty/split-conformal.ts";
import { buildLoanFeatures, LOAN_FEATURES, type LoanObservation, priceWindowStats } from "./loan-features.ts";
import { DEFAULT_CAPITAL_CHARGE_BPS, reservationTerms } from "./reservation-terms.ts";
import { VALUATION_WEIGHTS } from "./run-valuation.ts";
import {
  defaultValuationRecipe,
  evaluateValuation,
  familyBalancedQuantile,
  loanMatrix,
  trainValuation,
  weightStudyRows,
} from "./train-valuation.ts";
import {
  createHeadScorer,
  createValuationScorer,
  readValuationFile,
  type ValuationEstimate,
  type ValuationModel,
  writeValuationFile,
} from "./valuation-model.ts";

// may-2021-deleveraging yields no resolved loan at 2 seeds (already so on main at 3b566f8).
const FAMILIES = ["contagion-demo", "synthetic-shock", "november-2022-ftx", "may-2022-terra"];
const TEST = ["may-2022-terra"];

const observation: LoanObservation = {
  principalUsd: 2_000_000,
  collateralUsd: 2_400_000,
  tenorHours: 24,
  maxRateBps: 1500,
  lenderFreeUsd: 10_000_000,
  lenderHomeRateBps: 300,
  collateralVol24h: 0.08,
  collateralReturn24h: -0.05,
  principalVol24h: 0.001,
  sameAsset: false,
};

describe("valuation model (CI-sized)", () => {
  let rows: LoanRow[];
  let model: ValuationModel;
  beforeAll(async () => {
    await selectBackend({ prefer: "cpu" });
    rows = (await generateLoanDataset({ families: FAMILIES, seeds: 2 })).rows;
    model = await trainValuation({
      rows,
      testFamilies: TEST,
      recipe: {
        ...defaultValuationRecipe,
        members: 2,
        epochs: 8,
        hidden: [8],
        lossConformalPooling: "worst-family",
      },
    });
  }, 240_000);

  it("the dataset is deterministic per seed and carries family and seed columns", async () => {
    const again = await generateLoanDataset({ families: ["synthetic-shock"], seeds: 2 });
    const first = rows.filter((r) => r.family === "synthetic-shock");
    expect(again.rows).toEqual(first);
    expect(new Set(rows.map((r) => r.family))).toEqual(new Set(FAMILIES));
    expect(rows.some((r) => r.shortfall) && rows.some((r) => !r.shortfall)).toBe(true);
    for (const r of rows) {
      expect(r.lossShare).toBeGreaterThanOrEqual(0);
      expect(r.lossShare).toBeLessThanOrEqual(1);
      if (!r.shortfall) expect(r.lossShare).toBe(0);
    }
  });

  it("the loss quantile is at least every training family's own (families too small to have one do not vote)", () => {
    const own = Object.values((model.training.familyQuantiles as { loss: Record<string, number> }).loss);
    const finite = own.filter(Number.isFinite);
    expect(Number.isFinite(model.conformal.loss)).toBe(true);
    for (const q of finite) expect(model.conformal.loss).toBeGreaterThanOrEqual(q);
    // The shortfall head keeps the family-balanced pool: not above every family's own quantile.
    const sf = Object.values(
      (model.training.familyQuantiles as { shortfall: Record<string, number> }).shortfall,
    );
    expect(model.conformal.shortfall).toBeLessThanOrEqual(Math.max(...sf));
  });

  it("scores held-out families with intervals and baselines on the same rows", () => {
    const e = evaluateValuation(model, rows, TEST);
    expect(e.rows).toBe(rows.filter((r) => TEST.includes(r.family)).length);
    expect(e.shortfallTable.map((r) => r.name)).toEqual([
      "valuation model (MLP ensemble)",
      "logistic regression",
      "random forest",
      "coverage rule",
      "prior (dummy)",
    ]);
    for (const c of [e.coverage.shortfall, e.coverage.loss]) expect(c).toBeGreaterThan(0.5);
    // The tracking step is chosen on the training families' nested streams and run on the
    // held-out ones, one stream per family, from the file's quantile.
    const eta = model.conformal.lossTracking!.eta;
    const nested = model.training.lossTrackingNested as { eta: number }[];
    expect(nested.map((n) => n.eta)).toContain(eta);
    expect(e.coverage.lossTracked!.eta).toBe(eta);
    expect(e.coverage.lossTracked!.byFamily.map((f) => f.family)).toEqual([...TEST]);
    expect(e.coverage.lossTracked!.byFamily.reduce((a, f) => a + f.loans, 0)).toBe(e.rows);
    if (eta === 0) expect(e.coverage.lossTracked!.coverage).toBeCloseTo(e.coverage.loss, 12);
    // The shortfall interval is tracked the same way, with its own step.
    const sEta = model.conformal.shortfallTracking!.eta;
    expect((model.training.shortfallTrackingNested as { eta: number }[]).map((n) => n.eta)).toContain(sEta);
    expect(e.coverage.shortfallTracked!.eta).toBe(sEta);
    expect(e.coverage.shortfallTracked!.byFamily.reduce((a, f) => a + f.loans, 0)).toBe(e.rows);
    if (sEta === 0) expect(e.coverage.shortfallTracked!.coverage).toBeCloseTo(e.coverage.shortfall, 12);
    expect(model.conformal.loss).toBeGreaterThan(0);
    expect(Number.isFinite(model.conformal.loss)).toBe(true);
  });

  it("round-trips through its weights file and scores the same", () => {
    const dir = mkdtempSync(join(tmpdir(), "valuation-"));
    const file = join(dir, "v.json");
    writeValuationFile(file, model);
    const back = readValuationFile(file);
    const a = createValuationScorer(model).estimate(observation);
    const b = createValuationScorer(back).estimate(observation);
    expect(b).toEqual(a);
  });

  it("a weights file of the wrong shape names the tensor", () => {
    const dir = mkdtempSync(join(tmpdir(), "valuation-"));
    const file = join(dir, "v.json");
    writeValuationFile(file, model);
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.loss.members[0].tensors[0].shape = [3, 8];
    writeFileSync(file, JSON.stringify(json));
    expect(() => readValuationFile(file)).toThrow(WeightsFileError);
    expect(() => readValuationFile(file)).toThrow(/loss head.*members\[0\]/);
    expect(() => readValuationFile(join(dir, "missing.json"))).toThrow(/missing\.json.*cannot be read/);
  });
});

describe("valuation features and terms", () => {
  it("a NaN or infinite input is a typed error naming the feature, never a NaN score", () => {
    expect(() => buildLoanFeatures({ ...observation, collateralVol24h: Number.NaN })).toThrow(
      NonFiniteFeatureError,
    );
    expect(() => buildLoanFeatures({ ...observation, maxRateBps: Number.POSITIVE_INFINITY })).toThrow(
      /borrower_rate_cap/,
    );
    expect(() => priceWindowStats([1, 2, 0, 3], 1)).toThrow(/price window index 2/);
  });

  it("importance weighting repeats the study's RFQs to about the asked share, never the others", () => {
    const row = (source: "study" | "random", i: number) => ({ source, step: i }) as unknown as LoanRow;
    const rows = [
      ...Array.from({ length: 90 }, (_, i) => row("random", i)),
      ...Array.from({ length: 10 }, (_, i) => row("study", i)),
    ];
    const w = weightStudyRows(rows, 0.25);
    const study = w.filter((r) => r.source === "study").length;
    expect(w.filter((r) => r.source === "random").length).toBe(90);
    expect(study).toBe(30); // k = round(0.25 * 90 / (0.75 * 10)) = 3
    expect(study / w.length).toBeCloseTo(0.25, 2);
    expect(weightStudyRows(rows, 0)).toEqual(rows);
    expect(weightStudyRows(rows.slice(0, 90), 0.25)).toHaveLength(90);
  });

  it("the family-balanced quantile is the split-conformal quantile when families are equal", () => {
    const scores = Array.from({ length: 37 }, (_, i) => ((i * 7919) % 101) / 10);
    const equal = scores.map(() => 1 / scores.length);
    for (const alpha of [0.05, 0.1, 0.3])
      expect(familyBalancedQuantile(scores, equal, alpha)).toBe(conformalQuantile({ scores, alpha }));
    // A small family with large residuals moves the quantile up when it counts as much as a large one.
    const big = Array.from({ length: 95 }, () => 0.1);
    const small = Array.from({ length: 5 }, () => 5);
    const rowWeights = [...big, ...small].map(() => 1 / 100);
    const familyWeights = [...big.map(() => 1 / 190), ...small.map(() => 1 / 10)];
    expect(familyBalancedQuantile([...big, ...small], rowWeights, 0.1)).toBe(0.1);
    expect(familyBalancedQuantile([...big, ...small], familyWeights, 0.1)).toBe(5);
  });

  it("the haircut and the reservation rate widen with the loss interval; past the haircut cap the rate takes the rest", () => {
    const at = (high: number): ValuationEstimate => ({
      shortfall: { p: 0.2, low: 0, high: 0.6 },
      loss: { expected: 0.02, low: 0, high },
    });
    const terms = [0.02, 0.05, 0.2, 0.85, 0.95].map((high) =>
      reservationTerms({
        estimate: at(high),
        homeRateBps: 300,
        premiumBps: 200,
        tenorSeconds: 7 * 86_400,
        baseHaircutBps: 1000,
      }),
    );
    // Below the 9,000 bps cap: more collateral, and a capital charge on the upper loss (20%/yr).
    for (let k = 1; k < 3; k++) {
      expect(terms[k]!.haircutBps).toBeGreaterThan(terms[k - 1]!.haircutBps);
      expect(terms[k]!.reservationRateBps).toBeGreaterThan(terms[k - 1]!.reservationRateBps);
    }
    expect(terms[0]!.reservationRateBps).toBe(500 + Math.ceil(0.02 * DEFAULT_CAPITAL_CHARGE_BPS));
    // Past it, the rest of the upper loss goes into the rate, over the tenor.
    expect(terms[3]!.haircutBps).toBe(9000);
    expect(terms[4]!.haircutBps).toBe(9000);
    expect(terms[3]!.reservationRateBps).toBeGreaterThan(terms[2]!.reservationRateBps + 1000);
    expect(terms[4]!.reservationRateBps).toBeGreaterThan(terms[3]!.reservationRateBps);
  });

  it("members that disagree widen the interval, and with it the haircut and the rate", () => {
    // Ensembles whose members ignore the features and output sigmoid(bias): the same mean
    // prediction (symmetric biases around 0 in logit space give a mean of exactly 0.5 for the
    // shortfall head; the loss head's mean moves by < 1e-3), with and without disagreement.
    const constant = (bias: number) => ({
      seed: 0,
      weights: {
        layers: [
          {
            inputs: LOAN_FEATURES.length,
            units: 1,
            activation: "sigmoid" as const,
            kernel: new Float32Array(LOAN_FEATURES.length),
            bias: Float32Array.of(bias),
          },
        ],
      },
    });
    const ensemble = (biases: number[]) => ({
      model: "test",
      architecture: { inputs: LOAN_FEATURES.length, hidden: [], output: "sigmoid" as const },
      features: LOAN_FEATURES,
      standardizer: {
        mean: new Float32Array(LOAN_FEATURES.length),
        std: new Float32Array(LOAN_FEATURES.length).fill(1),
        names: LOAN_FEATURES,
      },
      members: biases.map(constant),
      calibration: null,
      interval: { level: 0.9, z: 1.645 },
      training: {},
    });
    const model = (spread: number): ValuationModel => ({
      shortfall: ensemble([-spread, spread]),
      loss: ensemble([-4 - spread / 10, -4 + spread / 10]),
      conformal: { alpha: 0.1, shortfall: 0.3, loss: 1.2, method: "test", lossInterval: "upper" },
      training: {},
    });
    const estimates = [0, 0.5, 1, 2].map((spread) =>
      createValuationScorer(model(spread)).estimate(observation),
    );
    const terms = estimates.map((estimate) =>
      reservationTerms({
        estimate,
        homeRateBps: 300,
        premiumBps: 200,
        tenorSeconds: 86_400,
        baseHaircutBps: 1000,
      }),
    );
    for (let k = 1; k < estimates.length; k++) {
      const [a, b] = [estimates[k - 1]!, estimates[k]!];
      expect(b.shortfall.p).toBeCloseTo(0.5, 6);
      expect(Math.abs(b.loss.expected - estimates[0]!.loss.expected)).toBeLessThan(1e-3);
      expect(b.shortfall.high - b.shortfall.low).toBeGreaterThan(a.shortfall.high - a.shortfall.low);
      expect(b.loss.high).toBeGreaterThan(a.loss.high);
      expect(terms[k]!.haircutBps).toBeGreaterThan(terms[k - 1]!.haircutBps);
      expect(terms[k]!.reservationRateBps).toBeGreaterThan(terms[k - 1]!.reservationRateBps);
    }
  });

  it("the shipped model: fast path equals tfjs within 1e-5 on both heads", async () => {
    await selectBackend({ prefer: "cpu" });
    const m = readValuationFile(VALUATION_WEIGHTS);
    const rows = [observation, { ...observation, collateralUsd: 500_000, collateralReturn24h: -0.3 }];
    const raw = loanMatrix(rows.map((o) => ({ observation: o }) as unknown as LoanRow));
    for (const head of [m.shortfall, m.loss]) {
      const scorer = createHeadScorer(head);
      const z = new Float32Array(raw.values.length);
      for (let i = 0; i < raw.rows; i++)
        for (let j = 0; j < LOAN_FEATURES.length; j++)
          z[i * raw.cols + j] =
            (raw.values[i * raw.cols + j]! - head.standardizer.mean[j]!) / head.standardizer.std[j]!;
      const x = { rows: raw.rows, cols: raw.cols, values: z, names: raw.names };
      const sums = new Float64Array(raw.rows);
      for (const member of head.members) {
        const tf = mlpFromWeights(member.weights, head.architecture);
        const p = predictTfjs(tf, x);
        p.forEach((v, i) => {
          sums[i]! += v;
        });
        tf.dispose();
      }
      for (let i = 0; i < raw.rows; i++)
        expect(
          Math.abs(
            scorer.score(z.subarray(i * raw.cols, (i + 1) * raw.cols)).mean - sums[i]! / head.members.length,
          ),
        ).toBeLessThan(1e-5);
    }
  });
});
