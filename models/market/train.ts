/**
 * Training of the market model on a time window: fit the standardiser on the window's rows,
 * train the ensemble (seeded members), and fit Platt scaling on purged out-of-fold predictions:
 * the window is cut into contiguous blocks; each block is predicted by an ensemble trained on the
 * rest minus a purge (24 h before the block: their labels look into it) and an embargo (168 h
 * after: their features look back into it). The calibration map is thus learnt from predictions
 * on hours the predicting model never saw, as the shipped model will meet its future.
 */
import { fitPlatt, fitPlattIntercept } from "../calibration/platt.ts";
import { CASCADE_HORIZON_HOURS } from "../datasets/market/cascade-labels.ts";
import { HOUR_MS } from "../datasets/market/series.ts";
import { ModelInputError } from "../errors.ts";
import { createFastMlp } from "../fast/mlp-forward.ts";
import { row, selectRows } from "../feature-matrix.ts";
import { LOOKBACK_HOURS } from "../features/market/market-features.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import { exportMlp, trainMlpClassifier } from "../mlp/tfjs-mlp.ts";
import { deriveSeed } from "../random.ts";
import { fitMarketStandardizer, type MarketDataset, modelInput, rowsIn } from "./dataset.ts";
import { MARKET_MODEL, type MarketRecipe, marketArchitecture, roleDropout } from "./model.ts";
import type { Window } from "./splits.ts";

/** A free Platt slope outside this range is not trusted (see trainMarketEnsemble). */
export const SLOPE_RANGE: [number, number] = [0.25, 4];

export type TrainProgress = { phase: string; step: number; total: number; loss?: number };

export type TrainMarketEnsembleParameters = {
  dataset: MarketDataset;
  window: Window;
  recipe: MarketRecipe;
  backend: string;
  onProgress?: (p: TrainProgress) => void;
};

type Members = MlpEnsemble["members"];

async function fitMembers(
  dataset: MarketDataset,
  rows: number[],
  recipe: MarketRecipe,
  seedBase: number,
  tick: (phase: string, loss: number) => void,
  phase: string,
): Promise<{ members: Members; standardizer: MlpEnsemble["standardizer"] }> {
  const raw = selectRows(dataset.x, rows);
  const standardizer = fitMarketStandardizer(raw);
  const x = modelInput(
    raw,
    standardizer,
    Float64Array.from(rows, (i) => dataset.hoursMs[i]!),
  );
  const y = Uint8Array.from(rows, (i) => dataset.labels[i]!);
  if (!y.some((v) => v === 1))
    throw new ModelInputError(`${phase}: no cascade hour in the training rows; choose a window with events.`);
  const architecture = marketArchitecture(recipe);
  const members: Members = [];
  for (let m = 0; m < recipe.members; m++) {
    const seed = deriveSeed(seedBase, m);
    const model = await trainMlpClassifier({
      architecture,
      x,
      y,
      seed,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      l2: recipe.l2,
      augment: roleDropout(recipe.roleDropout),
      onEpoch: (_e, loss) => tick(`${phase} member ${m + 1}/${recipe.members}`, loss),
    });
    members.push({ seed, weights: exportMlp(model, architecture) });
    model.dispose();
  }
  return { members, standardizer };
}

function meanLogits(members: Members, x: ReturnType<typeof modelInput>): Float64Array {
  const nets = members.map((m) => createFastMlp(m.weights));
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const r = row(x, i);
    let s = 0;
    for (const n of nets) s += n.preActivation(r);
    out[i] = s / nets.length;
  }
  return out;
}

export async function trainMarketEnsemble(p: TrainMarketEnsembleParameters): Promise<MlpEnsemble> {
  const { dataset, window, recipe } = p;
  const rows = rowsIn(dataset, window);
  const total = (recipe.members + recipe.calibrationBlocks * recipe.calibrationMembers) * recipe.epochs;
  let step = 0;
  const tick = (phase: string, loss: number) => p.onProgress?.({ phase, step: ++step, total, loss });

  // Out-of-fold logits for the calibration map.
  let calibration: MlpEnsemble["calibration"] = null;
  const oof: { logit: number; y: number }[] = [];
  const K = recipe.calibrationBlocks;
  for (let k = 0; k < K; k++) {
    const lo = Math.floor((k * rows.length) / K);
    const hi = Math.floor(((k + 1) * rows.length) / K) - 1;
    const start = dataset.hoursMs[rows[lo]!]!;
    const end = dataset.hoursMs[rows[hi]!]!;
    const fitRows = rows.filter((i) => {
      const t = dataset.hoursMs[i]!;
      return t < start - CASCADE_HORIZON_HOURS * HOUR_MS || t > end + LOOKBACK_HOURS * HOUR_MS;
    });
    const blockRows = rows.slice(lo, hi + 1);
    const fit = await fitMembers(
      dataset,
      fitRows,
      { ...recipe, members: recipe.calibrationMembers },
      deriveSeed(recipe.seed, 1000 + k),
      tick,
      `calibration block ${k + 1}/${K}`,
    );
    const xb = modelInput(
      selectRows(dataset.x, blockRows),
      fit.standardizer,
      Float64Array.from(blockRows, (i) => dataset.hoursMs[i]!),
    );
    const z = meanLogits(fit.members, xb);
    for (const [r, i] of blockRows.entries()) oof.push({ logit: z[r]!, y: dataset.labels[i]! });
  }
  let calibrationNote = "none";
  if (K > 0) {
    const probabilities = oof.map((o) => 1 / (1 + Math.exp(-o.logit)));
    const labels = oof.map((o) => o.y);
    const free = fitPlatt({ probabilities, labels });
    if (free.a >= SLOPE_RANGE[0] && free.a <= SLOPE_RANGE[1]) {
      calibration = free;
      calibrationNote = "Platt (slope and intercept) on purged out-of-fold logits";
    } else {
      // A slope near 0 or negative says the out-of-fold ranking is not credible on so few
      // events; a free map would flatten or invert the scores. Shift the base rate only.
      calibration = fitPlattIntercept({ probabilities, labels });
      calibrationNote = `intercept-only Platt on purged out-of-fold logits (free slope ${free.a.toFixed(3)} outside [${SLOPE_RANGE.join(", ")}])`;
    }
  }

  const fit = await fitMembers(dataset, rows, recipe, recipe.seed, tick, "final");
  return {
    model: MARKET_MODEL,
    architecture: marketArchitecture(recipe),
    features: fit.standardizer.names,
    standardizer: fit.standardizer,
    members: fit.members,
    calibration,
    interval: { level: 0.9, z: 1.6448536269514722 },
    training: {
      window: { from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString() },
      rows: rows.length,
      positives: rows.reduce((s, i) => s + dataset.labels[i]!, 0),
      recipe,
      backend: p.backend,
      calibration: K > 0 ? { method: calibrationNote, blocks: K, rows: oof.length } : "none",
    },
  };
}
