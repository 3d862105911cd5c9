/**
 * The shipped contagion training (FULL_RECIPE, trainer "multi-task"): each member is one network
 * with a shared trunk and a 6, 24 and 72 h head (multi-head.ts), trained jointly on the training
 * families and early-stopped on the calibration families' loss (each head keeps its own best
 * epoch). A horizon's member is the mean of the logits of its own head and the shorter horizons'
 * heads (an event within 6 h is also one within 24 h, so the heads are noisy views of one
 * hazard), merged into one network by averagedMlp so that the weights file and the detector are
 * unchanged. Then Platt per horizon on the calibration families' mean member logits.
 */
import { ModelInputError } from "../errors.ts";
import {
  type FeatureMatrix,
  fitStandardizer,
  type Standardizer,
  selectRows,
  standardize,
} from "../feature-matrix.ts";
import { averagedMlp } from "../mlp/averaged-mlp.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import type { MlpWeights } from "../mlp/mlp-weights.ts";
import { deriveSeed } from "../random.ts";
import type { ContagionDataset } from "./dataset.ts";
import { CONTAGION_HORIZONS, type ContagionHorizon } from "./features.ts";
import { type ContagionRecipe, squashMatrix } from "./model.ts";
import { type MultiHeadData, trainMultiHeadMlp } from "./multi-head.ts";
import { type Split, splitOf } from "./splits.ts";
import { assembleContagionEnsemble, subsample, type TrainProgress } from "./train.ts";

/** Rows of a split usable for at least one of `horizons`, in file order. */
export function unionRows(
  d: ContagionDataset,
  horizons: readonly ContagionHorizon[],
  split: Split,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.x.rows; i++)
    if (horizons.some((h) => d.usable[h][i] === 1) && splitOf(d.family[i]!) === split) out.push(i);
  return out;
}

/** A head's labels and which rows count for it. */
export type HeadLabels = { labels: Uint8Array; usable: Uint8Array };

/** Rows as a multi-head network's data: prepared inputs, row-major labels and masks per head. */
export function multiHeadData(
  prepare: (rows: number[]) => FeatureMatrix,
  heads: readonly HeadLabels[],
  rows: number[],
): MultiHeadData {
  const n = heads.length;
  return {
    x: prepare(rows),
    y: Uint8Array.from(
      { length: rows.length * n },
      (_, c) => heads[c % n]!.labels[rows[Math.floor(c / n)]!]!,
    ),
    mask: Uint8Array.from(
      { length: rows.length * n },
      (_, c) => heads[c % n]!.usable[rows[Math.floor(c / n)]!]!,
    ),
  };
}

/** The model's input preparation: signed log, standardise, zero the ignored inputs. */
export function contagionInputs(d: ContagionDataset, standardizer: Standardizer, ignore: readonly string[]) {
  const ignored = ignore.map((name) => {
    const j = standardizer.names.indexOf(name);
    if (j < 0) throw new ModelInputError(`contagion recipe ignores "${name}", which is not a feature.`);
    return j;
  });
  return {
    ignored,
    prepare: (rows: number[]): FeatureMatrix => {
      const x = standardize(squashMatrix(selectRows(d.x, rows)), standardizer);
      for (let i = 0; i < x.rows; i++) for (const j of ignored) x.values[i * x.cols + j] = 0;
      return x;
    },
  };
}

/** The horizons whose heads a horizon's member averages: itself and every shorter one. */
export const headsAveragedFor = (h: ContagionHorizon): ContagionHorizon[] =>
  CONTAGION_HORIZONS.filter((k) => k <= h);

export type TrainMultiTaskParameters = {
  dataset: ContagionDataset;
  recipe: ContagionRecipe;
  backend: string;
  onProgress?: ((p: TrainProgress) => void) | undefined;
  /** Rows to train from (the training families' by default; the ceiling study adds test runs). */
  trainFrom?: number[] | undefined;
};

export async function trainContagionMultiTask(
  p: TrainMultiTaskParameters,
): Promise<Map<ContagionHorizon, MlpEnsemble>> {
  const { dataset: d, recipe } = p;
  if (recipe.trainer !== "multi-task")
    throw new ModelInputError("trainContagionMultiTask needs a multi-task recipe.");
  const seed = deriveSeed(recipe.seed, 0x3ead);
  const train = subsample(
    p.trainFrom ?? unionRows(d, CONTAGION_HORIZONS, "train"),
    recipe.maxTrainRows,
    seed,
  );
  for (const h of CONTAGION_HORIZONS)
    if (!train.some((i) => d.usable[h][i] === 1 && d.labels[h][i] === 1))
      throw new ModelInputError(
        `contagion ${h} h: no event in the training families; generate more seeds (npm run sim:dataset).`,
      );
  const standardizer = fitStandardizer(squashMatrix(selectRows(d.x, train)), (name) =>
    name.startsWith("is_"),
  );
  const { ignored, prepare } = contagionInputs(d, standardizer, recipe.ignore);
  const heads = CONTAGION_HORIZONS.map((h) => ({ labels: d.labels[h], usable: d.usable[h] }));
  const trainData = multiHeadData(prepare, heads, train);
  const validation = multiHeadData(prepare, heads, unionRows(d, CONTAGION_HORIZONS, "calibration"));

  const perMember: { seed: number; heads: MlpWeights[]; bestEpoch: number[]; epochsRun: number }[] = [];
  let step = 0;
  const total = recipe.members * recipe.epochs;
  for (let m = 0; m < recipe.members; m++) {
    const memberSeed = deriveSeed(seed, m);
    const r = await trainMultiHeadMlp({
      hidden: recipe.hidden,
      heads: heads.length,
      train: trainData,
      validation,
      ...(recipe.patience === undefined ? {} : { patience: recipe.patience }),
      seed: memberSeed,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      l2: recipe.l2,
      onEpoch: (_e, loss) =>
        p.onProgress?.({
          phase: `${CONTAGION_HORIZONS.join("/")} h member ${m + 1}/${recipe.members}`,
          step: ++step,
          total,
          loss,
        }),
    });
    // An early stop skips the rest of the member's epochs on the bar.
    step = (m + 1) * recipe.epochs;
    perMember.push({ seed: memberSeed, ...r });
  }

  const out = new Map<ContagionHorizon, MlpEnsemble>();
  for (const h of CONTAGION_HORIZONS) {
    const averaged = headsAveragedFor(h);
    const members = perMember.map((pm) => {
      const weights = averagedMlp(averaged.map((k) => pm.heads[CONTAGION_HORIZONS.indexOf(k)]!));
      // The ignored inputs were always 0 in training; zero weights make the detector ignore them too.
      const first = weights.layers[0]!;
      for (const j of ignored) first.kernel.fill(0, j * first.units, (j + 1) * first.units);
      return { seed: pm.seed, weights };
    });
    const hidden = members[0]!.weights.layers.slice(0, -1).map((l) => l.units);
    const usable = train.filter((i) => d.usable[h][i] === 1);
    out.set(
      h,
      assembleContagionEnsemble({
        dataset: d,
        horizon: h,
        architecture: { inputs: standardizer.names.length, hidden, output: "sigmoid" },
        standardizer,
        members,
        rows: usable.length,
        positives: usable.filter((i) => d.labels[h][i] === 1).length,
        training: {
          trainer: `multi-task (shared trunk [${recipe.hidden.join(", ")}], heads ${CONTAGION_HORIZONS.join("/")} h, early stopping on the calibration families' loss); this horizon's member = mean of the ${averaged.join(", ")} h heads' logits, merged into one network`,
          epochsKept: perMember.map(
            (pm) =>
              `${pm.epochsRun} epochs run; kept ${CONTAGION_HORIZONS.map((k, j) => `${k} h epoch ${pm.bestEpoch[j]! + 1}`).join(", ")}`,
          ),
          recipe,
          backend: p.backend,
        },
      }),
    );
  }
  return out;
}
