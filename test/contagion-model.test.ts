/**
 * The contagion model end to end at CI size: a small simulator dataset (sims/dataset), the quick
 * training recipe, evaluation on the held-out family, the eval report opened in real Chromium,
 * and the fast path proven equal to tfjs on the trained weights (within 1e-5).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readContagionDataset } from "../models/contagion/dataset.ts";
import { evaluateContagion } from "../models/contagion/evaluate.ts";
import { CONTAGION_FEATURES } from "../models/contagion/features.ts";
import { loadContagionDetector } from "../models/contagion/load-detector.ts";
import {
  createContagionDetector,
  IGNORED_FEATURES,
  QUICK_RECIPE,
  squashMatrix,
} from "../models/contagion/model.ts";
import { CONTAGION_WEIGHTS_DIR, runContagionEval, weightsFile } from "../models/contagion/run.ts";
import { trainContagionMultiTask } from "../models/contagion/train-multi-task.ts";
import { formatAblation, runValidationAblation } from "../models/contagion/validation-ablation.ts";
import { ModelInputError, NonFiniteFeatureError } from "../models/errors.ts";
import { createFastMlp } from "../models/fast/mlp-forward.ts";
import { row, selectRows, standardize } from "../models/feature-matrix.ts";
import { type MlpEnsemble, readEnsembleFile, writeEnsembleFile } from "../models/mlp/ensemble-file.ts";
import { mlpFromWeights, predictTfjs } from "../models/mlp/tfjs-mlp.ts";
import { selectBackend } from "../models/runtime/backend.ts";
import { parseDatasetOptions } from "../sims/dataset/dataset-options.ts";
import { generateDataset } from "../sims/dataset/generate-dataset.ts";
import { haveChromium, openReportPage, warnWithoutChromium } from "./harness/report-page.ts";

warnWithoutChromium("contagion-model.test.ts");

let file = "";
let ensemble: MlpEnsemble;
let ensembles: Map<6 | 24 | 72, MlpEnsemble>;

beforeAll(async () => {
  await selectBackend({ prefer: "cpu" });
  file = join(mkdtempSync(join(tmpdir(), "contagion-")), "d.arrow");
  await generateDataset({
    options: parseDatasetOptions({
      // Training, calibration and test families (models/contagion/splits.ts).
      families: ["flash-crash-random", "high-leverage", "chain-contagion", "ring-contagion"],
      seeds: [1, 2, 3],
      out: file,
      positionsPerLending: 20,
      tradersPerSide: 5,
      localWorkers: 0,
    }),
  });
  ensembles = await trainContagionMultiTask({
    dataset: readContagionDataset(file),
    recipe: QUICK_RECIPE,
    backend: "cpu",
  });
  ensemble = ensembles.get(24)!;
}, 120_000);

describe("contagion model (CI size)", () => {
  it("trains the three horizons at once: each horizon's member averages its own and the shorter heads", () => {
    // One trunk of QUICK_RECIPE.hidden per averaged head, side by side in one network.
    expect([6, 24, 72].map((h) => ensembles.get(h as 6 | 24 | 72)!.architecture.hidden)).toEqual([
      QUICK_RECIPE.hidden,
      QUICK_RECIPE.hidden.map((u) => 2 * u),
      QUICK_RECIPE.hidden.map((u) => 3 * u),
    ]);
    for (const e of ensembles.values()) {
      expect(e.members).toHaveLength(QUICK_RECIPE.members);
      expect(e.standardizer).toBe(ensemble.standardizer);
      expect(e.calibration).not.toBeNull();
    }
    // The 6 h head's network is the first block of the 24 h member's first layer.
    const six = ensembles.get(6)!.members[0]!.weights.layers[0]!;
    const both = ensemble.members[0]!.weights.layers[0]!;
    for (let i = 0; i < six.inputs; i++)
      expect(Array.from(both.kernel.subarray(i * both.units, i * both.units + six.units))).toEqual(
        Array.from(six.kernel.subarray(i * six.units, (i + 1) * six.units)),
      );
  });

  it("trains an ensemble with a calibration map and evaluates it beside the baselines on the held-out family", () => {
    expect(ensemble.members).toHaveLength(QUICK_RECIPE.members);
    expect(ensemble.features).toEqual([...CONTAGION_FEATURES]);
    const e = evaluateContagion({
      dataset: readContagionDataset(file),
      horizon: 24,
      ensemble,
      seed: 1,
      maxBaselineRows: 3_000,
      maxForestRows: 1_000,
    });
    expect(e.test.families).toEqual(["ring-contagion"]);
    expect(e.test.positives).toBeGreaterThan(0);
    expect(e.models.map((m) => m.name)).toEqual([
      "MLP ensemble (calibrated)",
      "dummy (prior)",
      "logistic regression",
      "random forest",
      "DebtRank threshold",
      "Eisenberg-Noe shortfall threshold",
      "rule: health factor, volatility, drawdown",
    ]);
    for (const m of e.models) {
      expect(m.auroc).toBeGreaterThanOrEqual(0);
      expect(m.auroc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(m.brier)).toBe(true);
    }
    // The dummy ranks nothing; logistic regression on these features does.
    expect(e.models[1]!.auroc).toBe(0.5);
    expect(e.models[2]!.auroc).toBeGreaterThan(0.6);
  });

  it("npm run eval's contagion part writes the metrics, the model card and a report that renders in Chromium", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contagion-eval-"));
    writeEnsembleFile(weightsFile(dir, 24), ensemble);
    const card = join(dir, "MODEL_CARD.md");
    const r = await runContagionEval({
      datasetFile: file,
      weightsDir: dir,
      outDir: join(dir, "out"),
      cardFile: card,
      quick: true,
      horizons: [24],
      command: "test",
    });
    const e = r.evaluations[0]!;
    const mlp = e.models[0]!;
    // Every protocol failure has a lead-time entry (null when missed) for the histogram.
    for (const m of e.models) expect(m.lead.leadHours).toHaveLength(m.lead.events);
    expect(Object.keys(e.curves)).toEqual(e.models.map((m) => m.name));
    expect(readFileSync(card, "utf8")).toContain(
      `| MLP ensemble (calibrated) | ${mlp.auroc.toFixed(3)} | ${mlp.auprc.toFixed(3)} |`,
    );
    // The gain over the best baseline, with its interval over redrawn test runs.
    const g = e.targets.auprcGain;
    expect(g.draws).toBeGreaterThan(0);
    expect(g.clusters).toBe(3); // ring-contagion, seeds 1-3
    expect(g.low).toBeLessThanOrEqual(g.high);
    expect(g.estimate).toBeCloseTo(
      mlp.auprc - e.models.find((m) => m.name === e.targets.bestBaseline)!.auprc,
      10,
    );
    expect(readFileSync(card, "utf8")).toContain(`AUPRC over ${e.targets.bestBaseline}: `);
    const html = readFileSync(r.html, "utf8");
    expect(html).toContain(`<td>${mlp.auroc.toFixed(3)}</td><td>${mlp.auprc.toFixed(3)}</td>`);

    if (!haveChromium) return;
    const { page, charts, errors, requests, close } = await openReportPage(r.html);
    try {
      // ROC, PR, reliability and lead time for the one horizon evaluated.
      expect(charts).toHaveLength(4);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.height).toBeGreaterThan(100);
        expect(c.marks).toBeGreaterThan(3);
      }
      const headings = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
      expect(headings).toEqual([
        "Summary",
        "Baselines",
        "ROC curves",
        "Precision-recall curves",
        "Reliability diagrams",
        "Lead-time histograms",
      ]);
      const tableRows = await page.$$eval("h3 + p + table tr", (trs) => trs.length);
      expect(tableRows).toBe(e.models.length + 1);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it("the input ablation scores both recipes and the forest on the validation family only", async () => {
    const a = await runValidationAblation({
      dataset: readContagionDataset(file),
      backend: "cpu",
      command: "test",
      members: 1,
      horizons: [24],
    });
    expect(a.validationFamilies).toContain("chain-contagion");
    expect(a.rows.map((r) => r.model)).toEqual([
      "MLP ensemble, all inputs",
      "MLP ensemble, kind and size ignored (shipped)",
      "random forest",
    ]);
    for (const r of a.rows) {
      expect(r.auroc).toBeGreaterThanOrEqual(0);
      expect(r.auroc).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.auprc)).toBe(true);
    }
    expect(formatAblation(a)).toContain("| 24 h | random forest |");
  }, 120_000);

  it("the fast path equals tfjs on the trained members (within 1e-5)", () => {
    const d = readContagionDataset(file);
    const rows = Array.from({ length: 300 }, (_, k) => Math.floor((k * d.x.rows) / 300));
    const x = standardize(squashMatrix(selectRows(d.x, rows)), ensemble.standardizer);
    for (const m of ensemble.members) {
      const tfjs = mlpFromWeights(m.weights, ensemble.architecture);
      const expected = predictTfjs(tfjs, x);
      tfjs.dispose();
      const fast = createFastMlp(m.weights);
      for (let i = 0; i < x.rows; i++)
        expect(Math.abs(fast.output(row(x, i)) - expected[i]!)).toBeLessThan(1e-5);
    }
  });

  it("the detector gives p inside its band, by array or by name, and refuses bad input", () => {
    const detect = createContagionDetector(ensemble);
    const d = readContagionDataset(file);
    const features = d.x.values.slice(0, d.x.cols);
    const a = detect(features);
    const b = detect(Object.fromEntries(CONTAGION_FEATURES.map((n, j) => [n, features[j]!])));
    expect(b).toEqual(a);
    expect(a.pLow).toBeLessThanOrEqual(a.p);
    expect(a.p).toBeLessThanOrEqual(a.pHigh);
    const nan = features.slice();
    nan[3] = Number.NaN;
    expect(() => detect(nan)).toThrow(NonFiniteFeatureError);
    expect(() => detect({ utilisation: 0.5 })).toThrow(ModelInputError);
  });

  it("the network ignores the protocol's kind and size (zero first-layer weights), the rest moves p", () => {
    const detect = createContagionDetector(ensemble);
    const d = readContagionDataset(file);
    const features = d.x.values.slice(0, d.x.cols);
    const base = detect(features);
    for (const name of IGNORED_FEATURES) {
      const j = CONTAGION_FEATURES.indexOf(name);
      for (const m of ensemble.members) {
        const l = m.weights.layers[0]!;
        expect(Array.from(l.kernel.subarray(j * l.units, (j + 1) * l.units)).every((w) => w === 0)).toBe(
          true,
        );
      }
      const changed = features.slice();
      changed[j] = changed[j]! + 3;
      expect(detect(changed)).toEqual(base);
    }
    const used = features.slice();
    used[CONTAGION_FEATURES.indexOf("equity_loss_share")] = 0.9;
    used[CONTAGION_FEATURES.indexOf("hf_below_1_share")] = 0.8;
    expect(detect(used).p).not.toBe(base.p);
  });

  it("the shipped detectors load for every horizon and agree with tfjs (within 1e-5)", () => {
    const d = readContagionDataset(file);
    for (const horizon of [6, 24, 72] as const) {
      const detect = loadContagionDetector({ horizon });
      const s = detect(d.x.values.subarray(0, d.x.cols));
      expect(s.p).toBeGreaterThanOrEqual(0);
      expect(s.p).toBeLessThanOrEqual(1);
      expect(s.pLow).toBeLessThanOrEqual(s.pHigh);
    }
    const shipped = readEnsembleFile(join(CONTAGION_WEIGHTS_DIR, "contagion-24h.json"));
    const x = standardize(squashMatrix(selectRows(d.x, [0, 100, 200, 300])), shipped.standardizer);
    const member = shipped.members[0]!;
    const tfjs = mlpFromWeights(member.weights, shipped.architecture);
    const expected = predictTfjs(tfjs, x);
    tfjs.dispose();
    const fast = createFastMlp(member.weights);
    for (let i = 0; i < x.rows; i++)
      expect(Math.abs(fast.output(row(x, i)) - expected[i]!)).toBeLessThan(1e-5);
  });
});
