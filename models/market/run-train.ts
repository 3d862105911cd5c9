/**
 * `npm run train` for the market model: the fold models of the validation splits, then the
 * shipped model on every labelled hour; weights into the weights folder; prints each fold's
 * out-of-sample AUROC and AUPRC (the same numbers `npm run eval` reports).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeEnsembleFile } from "../mlp/ensemble-file.ts";
import { loadTrainingDataset, rowsIn, subset } from "./dataset.ts";
import { createMarketScorer, FULL_RECIPE, type MarketRecipe, QUICK_RECIPE } from "./model.ts";
import { foldWeightsName, SHIPPED_WEIGHTS } from "./paths.ts";
import { checkSplit, FINAL_TRAINING, LABELLED, VALIDATION_SPLITS } from "./splits.ts";
import { type TrainProgress, trainMarketEnsemble } from "./train.ts";
import { auroc } from "../metrics/roc.ts";
import { averagePrecision } from "../metrics/precision-recall.ts";

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

export async function runMarketTraining(p: RunMarketTrainingParameters): Promise<RunMarketTrainingReturnType> {
  const recipe = p.recipe ?? (p.quick ? QUICK_RECIPE : FULL_RECIPE);
  const dataset = loadTrainingDataset(p.dataDir, LABELLED);
  mkdirSync(p.outDir, { recursive: true });
  const files: string[] = [];
  const folds: RunMarketTrainingReturnType["folds"] = [];
  for (const split of VALIDATION_SPLITS) {
    checkSplit(split);
    const e = await trainMarketEnsemble({
      dataset,
      window: split.train,
      recipe,
      backend: p.backend,
      onProgress: (x) => p.onProgress?.(`fold ${split.name}`, x),
    });
    const file = join(p.outDir, foldWeightsName(split.name));
    writeEnsembleFile(file, { ...e, training: { ...e.training, split: split.name } });
    files.push(file);
    const te = subset(dataset, rowsIn(dataset, split.test));
    const s = createMarketScorer(e).scoreRows(te.x, te.hoursMs);
    folds.push({
      split: split.name,
      auroc: auroc(s.p, te.y),
      auprc: averagePrecision(s.p, te.y),
      positives: te.y.reduce((a, b) => a + b, 0),
      rows: te.y.length,
    });
  }
  const final = await trainMarketEnsemble({
    dataset,
    window: FINAL_TRAINING,
    recipe,
    backend: p.backend,
    onProgress: (x) => p.onProgress?.("shipped", x),
  });
  const file = join(p.outDir, SHIPPED_WEIGHTS);
  writeEnsembleFile(file, final);
  files.push(file);
  return { files, folds };
}
