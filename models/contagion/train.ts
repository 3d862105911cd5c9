/**
 * Training of one horizon's ensemble: standardiser on the training families' usable rows (a
 * seeded subsample past maxTrainRows), seeded members, then Platt scaling fitted on the
 * calibration families' mean logits (families the members never saw).
 */
import { fitPlatt } from "../calibration/platt.ts";
import { ModelInputError } from "../errors.ts";
import { createFastMlp } from "../fast/mlp-forward.ts";
import { fitStandardizer, row, type Standardizer, selectRows, standardize } from "../feature-matrix.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import { exportMlp, trainMlpClassifier } from "../mlp/tfjs-mlp.ts";
import { createRng, deriveSeed, permutation } from "../random.ts";
import type { ContagionDataset } from "./dataset.ts";
import type { ContagionHorizon } from "./features.ts";
import { type ContagionRecipe, contagionArchitecture, contagionModelName, squashMatrix } from "./model.ts";
import { type Split, splitOf } from "./splits.ts";

export type TrainProgress = { phase: string; step: number; total: number; loss?: number };

/** Usable rows of a split for a horizon, in file order. */
export function rowsOf(d: ContagionDataset, h: ContagionHorizon, split: Split): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.x.rows; i++) if (d.usable[h][i] === 1 && splitOf(d.family[i]!) === split) out.push(i);
  return out;
}

/** At most `max` of `rows`, a seeded sample kept in file order. */
export function subsample(rows: number[], max: number, seed: number): number[] {
  if (rows.length <= max) return rows;
  const pick = permutation(rows.length, createRng(seed)).subarray(0, max);
  return Array.from(pick)
    .sort((a, b) => a - b)
    .map((k) => rows[k]!);
}

export type TrainContagionParameters = {
  dataset: ContagionDataset;
  horizon: ContagionHorizon;
  recipe: ContagionRecipe;
  backend: string;
  onProgress?: ((p: TrainProgress) => void) | undefined;
};

export async function trainContagionEnsemble(p: TrainContagionParameters): Promise<MlpEnsemble> {
  const { dataset: d, horizon: h, recipe } = p;
  if (recipe.trainer !== "one-head")
    throw new ModelInputError(
      "trainContagionEnsemble trains one-head recipes; multi-task: train-multi-task.ts.",
    );
  const rows = subsample(rowsOf(d, h, "train"), recipe.maxTrainRows, deriveSeed(recipe.seed, h));
  const y = Uint8Array.from(rows, (i) => d.labels[h][i]!);
  const positives = y.reduce((s, v) => s + v, 0);
  if (positives === 0)
    throw new ModelInputError(
      `contagion ${h} h: no event in the training families; generate more seeds (npm run sim:dataset).`,
    );
  const raw = squashMatrix(selectRows(d.x, rows));
  const standardizer = fitStandardizer(raw, (name) => name.startsWith("is_"));
  const x = standardize(raw, standardizer);
  const ignored = recipe.ignore.map((name) => {
    const j = standardizer.names.indexOf(name);
    if (j < 0) throw new ModelInputError(`contagion recipe ignores "${name}", which is not a feature.`);
    return j;
  });
  for (let i = 0; i < x.rows; i++) for (const j of ignored) x.values[i * x.cols + j] = 0;
  const architecture = contagionArchitecture(recipe);
  const members: MlpEnsemble["members"] = [];
  let step = 0;
  const total = recipe.members * recipe.epochs;
  for (let m = 0; m < recipe.members; m++) {
    const seed = deriveSeed(recipe.seed, h, m);
    const model = await trainMlpClassifier({
      architecture,
      x,
      y,
      seed,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      l2: recipe.l2,
      onEpoch: (_e, loss) =>
        p.onProgress?.({ phase: `${h} h member ${m + 1}/${recipe.members}`, step: ++step, total, loss }),
    });
    const weights = exportMlp(model, architecture);
    // The ignored inputs were always 0 in training; zero weights make the detector ignore them too.
    const first = weights.layers[0]!;
    for (const j of ignored) first.kernel.fill(0, j * first.units, (j + 1) * first.units);
    members.push({ seed, weights });
    model.dispose();
  }

  return assembleContagionEnsemble({
    dataset: d,
    horizon: h,
    architecture,
    standardizer,
    members,
    rows: rows.length,
    positives,
    training: { recipe, backend: p.backend },
  });
}

/** A horizon's weights-file record: the members, Platt on the calibration families, how it was trained. */
export function assembleContagionEnsemble(p: {
  dataset: ContagionDataset;
  horizon: ContagionHorizon;
  architecture: MlpEnsemble["architecture"];
  standardizer: Standardizer;
  members: MlpEnsemble["members"];
  /** Training rows and events at this horizon. */
  rows: number;
  positives: number;
  /** The rest of the training record (recipe, backend, trainer details). */
  training: Record<string, unknown>;
}): MlpEnsemble {
  const { dataset: d, horizon: h } = p;
  const { calibration, calibrationRows } = plattOnCalibrationFamilies(d, h, p.members, p.standardizer);
  return {
    model: contagionModelName(h),
    architecture: p.architecture,
    features: p.standardizer.names,
    standardizer: p.standardizer,
    members: p.members,
    calibration,
    interval: { level: 0.9, z: 1.6448536269514722 },
    training: {
      dataset: d.file.replace(/^.*[\\/]/, ""),
      horizonHours: h,
      rows: p.rows,
      positives: p.positives,
      calibrationRows,
      calibration: calibration
        ? "Platt on the calibration families' mean logits"
        : "none (no events in the calibration families)",
      ...p.training,
    },
  };
}

/** Platt scaling on the calibration families' mean member logits (null when they hold one class). */
export function plattOnCalibrationFamilies(
  d: ContagionDataset,
  h: ContagionHorizon,
  members: MlpEnsemble["members"],
  standardizer: Standardizer,
): { calibration: MlpEnsemble["calibration"]; calibrationRows: number } {
  const calRows = rowsOf(d, h, "calibration");
  const nets = members.map((m) => createFastMlp(m.weights));
  const cal = standardize(squashMatrix(selectRows(d.x, calRows)), standardizer);
  const probabilities: number[] = [];
  const labels: number[] = [];
  for (let k = 0; k < cal.rows; k++) {
    let s = 0;
    for (const n of nets) s += n.preActivation(row(cal, k));
    probabilities.push(1 / (1 + Math.exp(-s / nets.length)));
    labels.push(d.labels[h][calRows[k]!]!);
  }
  const calibration =
    labels.some((v) => v === 1) && labels.some((v) => v === 0) ? fitPlatt({ probabilities, labels }) : null;
  return { calibration, calibrationRows: calRows.length };
}
