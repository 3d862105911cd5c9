/**
 * Recipe variants of the contagion model tried against the shipped recipe (issue 12: 24 h and
 * 72 h AUPRC must beat the best baseline by 0.05): each variant trains `--members` members per
 * horizon on the training families and is scored on the validation (calibration) families, which
 * decide, and on the test families, printed for the record only. Mean member logit, no Platt
 * (monotone, so AUROC and AUPRC are unchanged). The numbers in MODEL_CARD.md's "Variants tried"
 * come from this script.
 *   npx tsx models/contagion/variant-study.ts --dataset FILE.arrow [--variant NAME] [--members 2]
 *     [--horizons 24,72] [--dump DIR]
 * Variants: shipped, trends (6 h and 24 h changes of 14 inputs over the protocol's own past
 * hours), positives-x3 (class weighting by repetition), no-market, no-system, no-exposed (one
 * more input group ignored). --dump writes each split's scores, for horizon-combining.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createFastMlp, type FastMlp } from "../fast/mlp-forward.ts";
import {
  createFeatureMatrix,
  type FeatureMatrix,
  fitStandardizer,
  selectRows,
  standardize,
} from "../feature-matrix.ts";
import { averagePrecision } from "../metrics/precision-recall.ts";
import { auroc } from "../metrics/roc.ts";
import { exportMlp, trainMlpClassifier } from "../mlp/tfjs-mlp.ts";
import { deriveSeed } from "../random.ts";
import { selectBackend } from "../runtime/backend.ts";
import { type ContagionDataset, readContagionDataset } from "./dataset.ts";
import type { ContagionHorizon } from "./features.ts";
import { FULL_RECIPE, squash } from "./model.ts";
import { rowsOf, subsample } from "./train.ts";

/** Inputs whose recent change the "trends" variant adds (6 h and 24 h differences). */
export const TREND_INPUTS = [
  "equity_share",
  "unpaid_share",
  "run_intensity",
  "withdrawal_share",
  "hf_p05",
  "neighbour_stress",
  "flight_share",
  "own_shortfall_share",
  "system_debtrank",
  "system_shortfall_share",
  "utilisation",
  "liquidation_share",
  "equity_loss_share",
  "creditor_stress",
] as const;
const TREND_LAGS = [6, 24] as const;

/**
 * The dataset's inputs plus x(t) - x(t - lag) per protocol-run for TREND_INPUTS; an hour before
 * the run's start has no past and gets 0 (what a detector would see in its first hours).
 */
export function withTrends(d: ContagionDataset): FeatureMatrix {
  const at = new Map<string, number>();
  for (let i = 0; i < d.x.rows; i++) at.set(`${d.track[i]}@${d.hour[i]}`, i);
  const src = TREND_INPUTS.map((n) => d.x.names.indexOf(n));
  const names = [...d.x.names, ...TREND_LAGS.flatMap((lag) => TREND_INPUTS.map((n) => `d${lag}h_${n}`))];
  const cols = names.length;
  const v = new Float32Array(d.x.rows * cols);
  for (let i = 0; i < d.x.rows; i++) {
    v.set(d.x.values.subarray(i * d.x.cols, (i + 1) * d.x.cols), i * cols);
    let k = d.x.cols;
    for (const lag of TREND_LAGS) {
      const j = at.get(`${d.track[i]}@${d.hour[i]! - lag}`);
      for (const c of src) {
        const now = d.x.values[i * d.x.cols + c]!;
        v[i * cols + k++] = j === undefined ? 0 : now - d.x.values[j * d.x.cols + c]!;
      }
    }
  }
  return createFeatureMatrix({ rows: d.x.rows, names, values: v });
}

type Variant = { trends?: boolean; positiveRepeats?: number; alsoIgnorePrefix?: string };
export const VARIANTS: Record<string, Variant> = {
  shipped: {},
  trends: { trends: true },
  "positives-x3": { positiveRepeats: 3 },
  "no-market": { alsoIgnorePrefix: "market_" },
  "no-system": { alsoIgnorePrefix: "system_" },
  "no-exposed": { alsoIgnorePrefix: "exposed_" },
};

export type VariantScore = {
  variant: string;
  horizon: ContagionHorizon;
  split: "validation" | "test";
  auroc: number;
  auprc: number;
  rows: number[];
  scores: Float64Array;
};

export async function scoreVariant(p: {
  dataset: ContagionDataset;
  variant: string;
  horizon: ContagionHorizon;
  members: number;
}): Promise<VariantScore[]> {
  const { dataset: d, horizon: h } = p;
  const v = VARIANTS[p.variant];
  if (!v) throw new Error(`unknown variant "${p.variant}" (${Object.keys(VARIANTS).join(", ")})`);
  const all = v.trends ? withTrends(d) : d.x;
  const squashed = (m: FeatureMatrix) => ({ ...m, values: m.values.map(squash) });
  const ignore = all.names.flatMap((n, j) =>
    FULL_RECIPE.ignore.includes(n) || (v.alsoIgnorePrefix && n.startsWith(v.alsoIgnorePrefix)) ? [j] : [],
  );
  const prepare = (
    rows: number[],
    s = fitStandardizer(squashed(selectRows(all, rows)), (n) => n.startsWith("is_")),
  ) => {
    const x = standardize(squashed(selectRows(all, rows)), s);
    for (let i = 0; i < x.rows; i++) for (const j of ignore) x.values[i * x.cols + j] = 0;
    return { x, s };
  };
  const train = subsample(rowsOf(d, h, "train"), FULL_RECIPE.maxTrainRows, deriveSeed(FULL_RECIPE.seed, h));
  const { x: xTrain, s } = prepare(train);
  const picks: number[] = [];
  train.forEach((i, k) => {
    for (let r = d.labels[h][i] ? (v.positiveRepeats ?? 1) : 1; r > 0; r--) picks.push(k);
  });
  const x = picks.length === train.length ? xTrain : selectRows(xTrain, picks);
  const y = Uint8Array.from(picks, (k) => d.labels[h][train[k]!]!);
  const architecture = { inputs: all.cols, hidden: FULL_RECIPE.hidden, output: "sigmoid" as const };
  const nets: FastMlp[] = [];
  for (let m = 0; m < p.members; m++) {
    const model = await trainMlpClassifier({
      architecture,
      x,
      y,
      seed: deriveSeed(FULL_RECIPE.seed, h, m),
      epochs: FULL_RECIPE.epochs,
      batchSize: FULL_RECIPE.batchSize,
      learningRate: FULL_RECIPE.learningRate,
      l2: FULL_RECIPE.l2,
    });
    nets.push(createFastMlp(exportMlp(model, architecture)));
    model.dispose();
  }
  return (["calibration", "test"] as const).map((split) => {
    const rows = rowsOf(d, h, split);
    const labels = Uint8Array.from(rows, (i) => d.labels[h][i]!);
    const { x: xe } = prepare(rows, s);
    const scores = Float64Array.from({ length: xe.rows }, (_, i) => {
      let z = 0;
      for (const n of nets) z += n.preActivation(xe.values.subarray(i * xe.cols, (i + 1) * xe.cols));
      return z / nets.length;
    });
    return {
      variant: p.variant,
      horizon: h,
      split: split === "calibration" ? "validation" : "test",
      auroc: auroc(scores, labels),
      auprc: averagePrecision(scores, labels),
      rows,
      scores,
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string" },
      variant: { type: "string" },
      members: { type: "string" },
      horizons: { type: "string" },
      dump: { type: "string" },
    },
  });
  if (!values.dataset) throw new Error("--dataset FILE.arrow is required (npm run sim:dataset)");
  const { backend } = await selectBackend({});
  const d = readContagionDataset(values.dataset);
  const members = Number(values.members ?? 2);
  const horizons = (values.horizons ?? "24,72").split(",").map(Number) as ContagionHorizon[];
  console.log(`backend ${backend}, ${members} members per ensemble`);
  console.log("| variant | horizon | split | AUROC | AUPRC |\n| --- | --- | --- | --- | --- |");
  for (const variant of values.variant ? values.variant.split(",") : Object.keys(VARIANTS))
    for (const h of horizons)
      for (const r of await scoreVariant({ dataset: d, variant, horizon: h, members })) {
        console.log(`| ${variant} | ${h} h | ${r.split} | ${r.auroc.toFixed(3)} | ${r.auprc.toFixed(3)} |`);
        if (values.dump) {
          mkdirSync(values.dump, { recursive: true });
          writeFileSync(
            join(values.dump, `${variant}-${h}-${r.split}.json`),
            JSON.stringify({ rows: r.rows, scores: Array.from(r.scores) }),
          );
        }
      }
}
