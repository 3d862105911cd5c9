/**
 * A multi-task MLP for the contagion horizons: one shared ReLU trunk and one sigmoid head per
 * horizon (6, 24, 72 h), trained jointly with a masked binary cross-entropy (a row whose label is
 * censored or unusable for a horizon adds nothing to that head's loss). Optional label smoothing,
 * focal loss and early stopping on a validation set's loss (per head: each head keeps the weights
 * of the epoch where its own validation loss was lowest). Each head exports as an ordinary
 * single-output MlpWeights (trunk plus that head's column), so the fast forward pass, the
 * ensemble file and the detector are unchanged. Seeded: init, batch order, same weights per seed.
 */
import * as tf from "@tensorflow/tfjs-core";
// For its side effect: tfjs-layers registers the core ops' gradients, which minimize() needs
// (importing tfjs-core's register_all_gradients directly fails under Node's ESM resolution).
import "@tensorflow/tfjs-layers";
import { ModelInputError } from "../errors.ts";
import type { FeatureMatrix } from "../feature-matrix.ts";
import type { DenseLayerWeights, MlpWeights } from "../mlp/mlp-weights.ts";
import { createRng, deriveSeed, permutation } from "../random.ts";

/** Layers of a multi-head network: ReLU trunk layers, then one linear layer with a unit per head. */
export type MultiHeadLayers = { kernel: Float32Array; bias: Float32Array; inputs: number; units: number }[];

/** Head k of a multi-head network as a single-output sigmoid MLP (trunk shared, column k of the last layer). */
export function headWeights(layers: MultiHeadLayers, k: number): MlpWeights {
  const last = layers[layers.length - 1];
  if (!last) throw new ModelInputError("a multi-head network needs at least one layer.");
  if (k < 0 || k >= last.units) throw new ModelInputError(`head ${k} of a ${last.units}-head network.`);
  const trunk: DenseLayerWeights[] = layers.slice(0, -1).map((l) => ({
    inputs: l.inputs,
    units: l.units,
    activation: "relu",
    kernel: Float32Array.from(l.kernel),
    bias: Float32Array.from(l.bias),
  }));
  const kernel = Float32Array.from({ length: last.inputs }, (_, i) => last.kernel[i * last.units + k]!);
  return {
    layers: [
      ...trunk,
      { inputs: last.inputs, units: 1, activation: "sigmoid", kernel, bias: Float32Array.of(last.bias[k]!) },
    ],
  };
}

export type LossOptions = {
  /** Targets become y (1 - s) + s / 2. */
  labelSmoothing?: number;
  /** Focal loss: each row's cross-entropy times (1 - p_true)^gamma. */
  focalGamma?: number;
};

/**
 * Per head, the mean loss over rows whose mask is 1 (NaN for a head with no such row): the
 * training objective's per-head terms, in plain arithmetic (for validation loss and tests).
 */
export function maskedLoss(
  logits: ArrayLike<number>,
  y: ArrayLike<number>,
  mask: ArrayLike<number>,
  heads: number,
  options: LossOptions = {},
): number[] {
  const s = options.labelSmoothing ?? 0;
  const gamma = options.focalGamma ?? 0;
  const sum = new Float64Array(heads);
  const count = new Float64Array(heads);
  for (let i = 0; i < logits.length; i++) {
    if (!mask[i]) continue;
    const z = logits[i]!;
    const t = y[i]! * (1 - s) + s / 2;
    const bce = Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    const p = 1 / (1 + Math.exp(-z));
    const pTrue = y[i] ? p : 1 - p;
    sum[i % heads]! += gamma > 0 ? (1 - pTrue) ** gamma * bce : bce;
    count[i % heads]!++;
  }
  return Array.from(sum, (v, k) => (count[k]! > 0 ? v / count[k]! : Number.NaN));
}

export type MultiHeadData = {
  x: FeatureMatrix;
  /** Row-major rows x heads labels (0/1). */
  y: Uint8Array;
  /** Row-major rows x heads: 1 where the row's label counts for that head. */
  mask: Uint8Array;
};

export type TrainMultiHeadParameters = LossOptions & {
  hidden: readonly number[];
  heads: number;
  train: MultiHeadData;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2?: number;
  /** With it, each head keeps its lowest-validation-loss epoch's weights. */
  validation?: MultiHeadData;
  /** Stop after this many epochs without any head's validation loss improving (needs validation). */
  patience?: number;
  onEpoch?: (epoch: number, trainLoss: number, validationLoss: number[] | undefined) => void;
};

export type TrainMultiHeadReturnType = {
  /** One single-output network per head. */
  heads: MlpWeights[];
  /** Per head, the epoch (0-based) whose weights it kept. */
  bestEpoch: number[];
  epochsRun: number;
};

function glorot(inputs: number, units: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const limit = Math.sqrt(6 / (inputs + units));
  return Float32Array.from({ length: inputs * units }, () => (2 * rng.next() - 1) * limit);
}

function checkData(d: MultiHeadData, heads: number, what: string): void {
  if (d.y.length !== d.x.rows * heads || d.mask.length !== d.x.rows * heads)
    throw new ModelInputError(
      `${what}: ${d.x.rows} rows and ${heads} heads need ${d.x.rows * heads} labels and mask cells, got ${d.y.length} and ${d.mask.length}.`,
    );
}

/** Adam on the masked loss plus l2 * sum of squared kernels (as tfjs-layers' l2 regulariser). */
export async function trainMultiHeadMlp(p: TrainMultiHeadParameters): Promise<TrainMultiHeadReturnType> {
  const { heads, train } = p;
  checkData(train, heads, "training data");
  if (p.validation) {
    checkData(p.validation, heads, "validation data");
    if (p.validation.x.cols !== train.x.cols)
      throw new ModelInputError(`validation has ${p.validation.x.cols} columns, training ${train.x.cols}.`);
  }
  const cols = train.x.cols;
  const sizes = [cols, ...p.hidden, heads];
  const kernels = sizes
    .slice(1)
    .map((units, k) =>
      tf.variable(tf.tensor2d(glorot(sizes[k]!, units, deriveSeed(p.seed, k)), [sizes[k]!, units])),
    );
  const biases = sizes.slice(1).map((units) => tf.variable(tf.zeros([units])));
  const variables = [...kernels, ...biases];
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    kernels.forEach((w, k) => {
      const z = tf.add(tf.matMul(h, w), biases[k]!) as tf.Tensor2D;
      h = k < kernels.length - 1 ? tf.relu(z) : z;
    });
    return h;
  };
  const s = p.labelSmoothing ?? 0;
  const gamma = p.focalGamma ?? 0;
  const l2 = p.l2 ?? 0;
  const optimizer = tf.train.adam(p.learningRate);
  const snapshot = (): MultiHeadLayers =>
    kernels.map((w, k) => ({
      kernel: Float32Array.from(w.dataSync()),
      bias: Float32Array.from(biases[k]!.dataSync()),
      inputs: sizes[k]!,
      units: sizes[k + 1]!,
    }));
  const validationLoss = (): number[] | undefined => {
    const v = p.validation;
    if (!v) return undefined;
    const logits = tf.tidy(() => forward(tf.tensor2d(v.x.values, [v.x.rows, cols])).dataSync());
    return maskedLoss(logits, v.y, v.mask, heads);
  };
  const best: { loss: number; epoch: number; layers: MultiHeadLayers | undefined }[] = Array.from(
    { length: heads },
    () => ({ loss: Number.POSITIVE_INFINITY, epoch: -1, layers: undefined }),
  );
  const rng = createRng(deriveSeed(p.seed, 0xba7c));
  let epochsRun = 0;
  let sinceBest = 0;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const order = permutation(train.x.rows, rng);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < train.x.rows; start += p.batchSize) {
      const rows = Math.min(p.batchSize, train.x.rows - start);
      const xb = new Float32Array(rows * cols);
      const yb = new Float32Array(rows * heads);
      const mb = new Float32Array(rows * heads);
      for (let k = 0; k < rows; k++) {
        const i = order[start + k]!;
        xb.set(train.x.values.subarray(i * cols, (i + 1) * cols), k * cols);
        for (let h = 0; h < heads; h++) {
          yb[k * heads + h] = train.y[i * heads + h]! * (1 - s) + s / 2;
          mb[k * heads + h] = train.mask[i * heads + h]!;
        }
      }
      const xs = tf.tensor2d(xb, [rows, cols]);
      const ys = tf.tensor2d(yb, [rows, heads]);
      const ms = tf.tensor2d(mb, [rows, heads]);
      const denominator = Math.max(
        1,
        mb.reduce((a, b) => a + b, 0),
      );
      const loss = optimizer.minimize(
        () => {
          const z = forward(xs);
          // Stable BCE from logits: max(z, 0) - z t + log(1 + exp(-|z|)).
          let per = tf.add(tf.sub(tf.relu(z), tf.mul(z, ys)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
          if (gamma > 0) {
            const prob = tf.sigmoid(z);
            const hard = tf.round(ys);
            const pTrue = tf.add(tf.mul(hard, prob), tf.mul(tf.sub(1, hard), tf.sub(1, prob)));
            per = tf.mul(per, tf.pow(tf.sub(1, pTrue), gamma));
          }
          let total = tf.div(tf.sum(tf.mul(per, ms)), denominator);
          if (l2 > 0) for (const w of kernels) total = tf.add(total, tf.mul(l2, tf.sum(tf.square(w))));
          return total as tf.Scalar;
        },
        true,
        variables,
      );
      xs.dispose();
      ys.dispose();
      ms.dispose();
      if (loss) {
        lossSum += (await loss.data())[0]!;
        loss.dispose();
      }
      batches++;
    }
    epochsRun = epoch + 1;
    const vLoss = validationLoss();
    p.onEpoch?.(epoch, lossSum / Math.max(1, batches), vLoss);
    if (!vLoss) continue;
    let improved = false;
    let layers: MultiHeadLayers | undefined;
    vLoss.forEach((l, h) => {
      if (l < best[h]!.loss) {
        layers ??= snapshot();
        best[h] = { loss: l, epoch, layers };
        improved = true;
      }
    });
    sinceBest = improved ? 0 : sinceBest + 1;
    if (p.patience !== undefined && sinceBest >= p.patience) break;
  }
  const last = snapshot();
  variables.forEach((v) => {
    v.dispose();
  });
  optimizer.dispose();
  return {
    heads: best.map((b, h) => headWeights(b.layers ?? last, h)),
    bestEpoch: best.map((b) => (b.layers ? b.epoch : epochsRun - 1)),
    epochsRun,
  };
}
