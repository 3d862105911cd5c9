/**
 * The contagion early-warning model: per horizon (6, 24, 72 h), a deep ensemble of small MLPs over
 * what a protocol observes (CONTAGION_FEATURES, standardised on the training families), Platt-
 * calibrated on held-out calibration families. Its public face is a ContagionDetector: raw
 * features in, {p, pLow, pHigh} out (the ensemble's spread on the logit scale gives the band),
 * over the fast forward pass (no tfjs on the hot path).
 */
import { ModelInputError, NonFiniteFeatureError, WeightsFileError } from "../errors.ts";
import { createFastMlp } from "../fast/mlp-forward.ts";
import type { FeatureMatrix } from "../feature-matrix.ts";
import type { MlpEnsemble } from "../mlp/ensemble-file.ts";
import type { MlpArchitecture } from "../mlp/mlp-weights.ts";
import { combineLogits } from "../uncertainty/logit-ensemble.ts";
import { CONTAGION_FEATURES, type ContagionFeature, type ContagionHorizon } from "./features.ts";

/**
 * The model reads each feature through a signed log, sign(x) log(1 + |x|), before standardising:
 * several inputs are ratios with heavy tails (open interest or unpaid withdrawals over size,
 * equity over a small starting equity) that would otherwise saturate the network. Monotone, so
 * rankings by one feature are unchanged; applied identically in training and in the detector.
 */
export const squash = (x: number): number => Math.sign(x) * Math.log1p(Math.abs(x));

export function squashMatrix(m: FeatureMatrix): FeatureMatrix {
  return { ...m, values: m.values.map(squash) };
}

export const contagionModelName = (h: ContagionHorizon) => `contagion-${h}h`;

/**
 * Inputs the detector takes (the interface keeps all of CONTAGION_FEATURES) but the network does
 * not use: the protocol's kind and size. With them the network learns the training families'
 * protocol mix and ranks protocols of unseen families worse; chosen on the validation
 * (calibration) families only, never the test families (72 h validation AUPRC, 2 members:
 * 0.833 with them, 0.920 without; 24 h: 0.602 and 0.693). Training zeroes these inputs and the
 * exported first layer has exactly zero weights on them, so the forward pass ignores them.
 */
export const IGNORED_FEATURES: readonly ContagionFeature[] = [
  "is_lending",
  "is_amm",
  "is_perp",
  "is_vault",
  "log_size_usd",
];

export type ContagionRecipe = {
  /**
   * "one-head": an ensemble per horizon, each member a one-output network (train.ts, tfjs-layers).
   * "multi-task": each member one network with a shared trunk and a 6, 24 and 72 h head, trained
   * jointly and early-stopped on the calibration families' loss; a horizon's member is the mean of
   * its own head's logit and the shorter horizons' (train-multi-task.ts).
   */
  trainer: "one-head" | "multi-task";
  hidden: number[];
  /** Inputs the network ignores (see IGNORED_FEATURES). */
  ignore: readonly string[];
  members: number;
  /** At most this many epochs (multi-task: early stopping may end sooner). */
  epochs: number;
  /** multi-task: stop after this many epochs in which no head's validation loss improved. */
  patience?: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  /** Most training rows used (a seeded subsample beyond it). */
  maxTrainRows: number;
  seed: number;
};

/**
 * The shipped recipe (issue 12, third round, models/contagion/VARIANTS-ROUND-2.md): multi-task
 * with early stopping and each horizon the mean of its head's and the shorter heads' logits. On
 * the 60-seed dataset's validation families it ranks best at 24 h (AUPRC 0.596 against 0.560 for
 * ONE_HEAD_RECIPE) and holds 72 h (0.894; the one-head 72 h net collapsed on the FTX family, 0.34).
 */
export const FULL_RECIPE: ContagionRecipe = {
  trainer: "multi-task",
  hidden: [32, 16],
  ignore: IGNORED_FEATURES,
  members: 5,
  epochs: 30,
  patience: 4,
  batchSize: 256,
  learningRate: 2e-3,
  l2: 1e-4,
  maxTrainRows: 120_000,
  seed: 20261204,
};

/** The recipe shipped before the multi-task one (one ensemble per horizon, 6 epochs); the input
 *  ablation and the first variant rounds were measured with it. */
export const ONE_HEAD_RECIPE: ContagionRecipe = {
  ...FULL_RECIPE,
  trainer: "one-head",
  epochs: 6,
};

/** CI's small training: the same code in seconds. */
export const QUICK_RECIPE: ContagionRecipe = {
  ...FULL_RECIPE,
  hidden: [8],
  members: 2,
  epochs: 2,
  maxTrainRows: 5_000,
};

export const contagionArchitecture = (recipe: Pick<ContagionRecipe, "hidden">): MlpArchitecture => ({
  inputs: CONTAGION_FEATURES.length,
  hidden: recipe.hidden,
  output: "sigmoid",
});

export type ContagionScore = { p: number; pLow: number; pHigh: number };

/** What the agents' risk loop calls: one protocol's features (CONTAGION_FEATURES order or by name). */
export type ContagionDetector = (features: Float32Array | Readonly<Record<string, number>>) => ContagionScore;

export function createContagionDetector(ensemble: MlpEnsemble): ContagionDetector {
  const names = ensemble.features;
  if (names.length !== CONTAGION_FEATURES.length || names.some((n, j) => n !== CONTAGION_FEATURES[j]))
    throw new WeightsFileError({
      file: ensemble.model,
      tensor: "features",
      problem: `lists [${names.join(", ")}], this code observes [${CONTAGION_FEATURES.join(", ")}]`,
    });
  const nets = ensemble.members.map((m) => createFastMlp(m.weights));
  const { mean, std } = ensemble.standardizer;
  const input = new Float32Array(names.length);
  const logits = new Float64Array(nets.length);
  return (features) => {
    for (let j = 0; j < input.length; j++) {
      const raw = features instanceof Float32Array ? features[j] : features[names[j]!];
      if (raw === undefined) throw new ModelInputError(`contagion detector: feature "${names[j]}" missing.`);
      if (!Number.isFinite(raw))
        throw new NonFiniteFeatureError({ feature: names[j]!, hourUtc: "this hour", value: raw });
      input[j] = (squash(raw) - mean[j]!) / std[j]!;
    }
    for (let k = 0; k < nets.length; k++) logits[k] = nets[k]!.preActivation(input);
    const s = combineLogits(logits, ensemble.calibration, ensemble.interval.z);
    return { p: s.p, pLow: s.pLow, pHigh: s.pHigh };
  };
}
