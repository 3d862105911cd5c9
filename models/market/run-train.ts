/**
 * `npm run train` for the market model: the fold models of the validation splits, then the
 * shipped model on every labelled hour; weights into the weights folder; prints each fold's
 * out-of-sample AUROC and AUPRC (the same numbers `npm run eval` reports).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fitPlatt, fitPlattIntercept, type PlattScaling } from "../calibration/platt.ts";
import { averagePrecision } from "../metrics/precision-recall.ts";
import { auroc } from "../metrics/roc.ts";
import { writeEnsembleFile } from "../mlp/ensemble-file.ts";
import { loadTrainingDataset, rowsIn, subset } from "./dataset.ts";
import { createMarketScorer, FULL_RECIPE, type MarketRecipe, QUICK_RECIPE } from "./model.ts";
import { foldWeightsName, SHIPPED_WEIGHTS } from "./paths.ts";
import { checkSplit, FINAL_TRAINING, LABELLED, type TimeSplit, VALIDATION_SPLITS } from "./splits.ts";
import { SLOPE_RANGE, type TrainProgress, trainMarketEnsemble } from "./train.ts";

export type RunMarketTrainingParameters = {
  dataDir: string;
  outDir: string;
  backend: string;
  quick?: boolean;
  recipe?: MarketRecipe;
  onProgress?: (model: string, p: TrainProgress) => void;
};

export type RunMarketTrainingReturnType = {
  files: string[];
  folds: { split: string; auroc: number; auprc: number; positives: number; rows: number }[];
};

/** Platt on held-out logits (free slope if credible, else intercept only), with its provenance. */
function heldOutCalibration(
  held: { logit: number; y: number }[],
  training: Record<string, unknown>,
  from: readonly TimeSplit[],
): { calibration: PlattScaling; training: Record<string, unknown> } {
  const probabilities = held.map((h) => 1 / (1 + Math.exp(-h.logit)));
  const labels = held.map((h) => h.y);
  const free = fitPlatt({ probabilities, labels });
  const trusted = free.a >= SLOPE_RANGE[0] && free.a <= SLOPE_RANGE[1];
  return {
    calibration: trusted ? free : fitPlattIntercept({ probabilities, labels }),
    training: {
      ...training,
      calibration: {
        method: `${trusted ? "Platt (slope and intercept)" : `intercept-only Platt (free slope ${free.a.toFixed(3)} outside [${SLOPE_RANGE.join(", ")}])`} on out-of-sample logits of earlier folds`,
        window: from.map((x) => `${x.name} test`).join(" + "),
        rows: held.length,
        positives: labels.reduce((a, b) => a + b, 0),
      },
    },
  };
}

export async function runMarketTraining(
  p: RunMarketTrainingParameters,
): Promise<RunMarketTrainingReturnType> {
  const recipe = p.recipe ?? (p.quick ? QUICK_RECIPE : FULL_RECIPE);
  const dataset = loadTrainingDataset(p.dataDir, LABELLED);
  mkdirSync(p.outDir, { recursive: true });
  const files: string[] = [];
  const folds: RunMarketTrainingReturnType["folds"] = [];
  const heldOutLogits: { logit: number; y: number }[][] = [];
  for (const split of VALIDATION_SPLITS) {
    checkSplit(split);
    const trained = await trainMarketEnsemble({
      dataset,
      window: split.train,
      recipe,
      backend: p.backend,
      onProgress: (x) => p.onProgress?.(`fold ${split.name}`, x),
    });
    // Forward chaining: a fold model is calibrated on the earlier folds' out-of-sample logits
    // (all before its own test window); the first fold has none and keeps its training-time map.
    const e = heldOutLogits.length
      ? {
          ...trained,
          ...heldOutCalibration(
            heldOutLogits.flat(),
            trained.training,
            VALIDATION_SPLITS.slice(0, heldOutLogits.length),
          ),
        }
      : trained;
    const file = join(p.outDir, foldWeightsName(split.name));
    writeEnsembleFile(file, { ...e, training: { ...e.training, split: split.name } });
    files.push(file);
    const te = subset(dataset, rowsIn(dataset, split.test));
    const s = createMarketScorer(e).scoreRows(te.x, te.hoursMs);
    const raw = createMarketScorer({ ...e, calibration: null }).scoreRows(te.x, te.hoursMs);
    heldOutLogits.push(Array.from(raw.p, (q, i) => ({ logit: Math.log(q / (1 - q)), y: te.y[i]! })));
    folds.push({
      split: split.name,
      auroc: auroc(s.p, te.y),
      auprc: averagePrecision(s.p, te.y),
      positives: te.y.reduce((a, b) => a + b, 0),
      rows: te.y.length,
    });
  }
  // The shipped model sees every labelled hour, so no hour is left to calibrate it on; its map
  // is fitted on all folds' out-of-sample logits (2021-H2), the most recent held-out window: a
  // refit-then-calibrate proxy.
  const final = await trainMarketEnsemble({
    dataset,
    window: FINAL_TRAINING,
    recipe: { ...recipe, calibrationBlocks: 0 },
    backend: p.backend,
    onProgress: (x) => p.onProgress?.("shipped", x),
  });
  const file = join(p.outDir, SHIPPED_WEIGHTS);
  writeEnsembleFile(file, {
    ...final,
    ...heldOutCalibration(heldOutLogits.flat(), final.training, VALIDATION_SPLITS),
  });
  files.push(file);
  return { files, folds };
}
