/**
 * The tfjs side of the MLPs: build a seeded network, train it with our own seeded batching
 * (tfjs's fit() shuffles with Math.random), and move weights in and out as typed arrays.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { ModelInputError } from "../errors.ts";
import type { FeatureMatrix } from "../feature-matrix.ts";
import { createRng, deriveSeed, permutation, type Rng } from "../random.ts";
import { layerShapes, type MlpArchitecture, type MlpWeights } from "./mlp-weights.ts";

export type CreateMlpParameters = { architecture: MlpArchitecture; l2?: number; seed: number };

export function createMlp({ architecture, l2 = 0, seed }: CreateMlpParameters): tfl.Sequential {
  const model = tfl.sequential();
  layerShapes(architecture).forEach((s, k) => {
    model.add(
      tfl.layers.dense({
        units: s.units,
        activation: s.activation,
        ...(k === 0 ? { inputShape: [s.inputs] } : {}),
        kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, k) }),
        biasInitializer: "zeros",
        ...(l2 > 0 ? { kernelRegularizer: tfl.regularizers.l2({ l2 }) } : {}),
      }),
    );
  });
  return model;
}

export type TrainMlpClassifierParameters = {
  architecture: MlpArchitecture;
  x: FeatureMatrix;
  y: ArrayLike<number>;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2?: number;
  /** Changes a batch in place before the step (e.g. role dropout); seeded by the trainer. */
  augment?: (batch: Float32Array, rows: number, cols: number, rng: Rng) => void;
  onEpoch?: (epoch: number, loss: number) => void;
};

/** Binary cross-entropy, Adam, seeded init and batch order: the same seed gives the same weights. */
export async function trainMlpClassifier(p: TrainMlpClassifierParameters): Promise<tfl.Sequential> {
  const { x, y } = p;
  if (x.cols !== p.architecture.inputs)
    throw new ModelInputError(
      `training matrix has ${x.cols} columns, the network ${p.architecture.inputs} inputs.`,
    );
  if (y.length !== x.rows) throw new ModelInputError(`${x.rows} rows but ${y.length} labels.`);
  const model = createMlp({ architecture: p.architecture, l2: p.l2 ?? 0, seed: p.seed });
  model.compile({ optimizer: tf.train.adam(p.learningRate), loss: "binaryCrossentropy" });
  const rng = createRng(deriveSeed(p.seed, 0xba7c));
  const cols = x.cols;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const order = permutation(x.rows, rng);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < x.rows; start += p.batchSize) {
      const rows = Math.min(p.batchSize, x.rows - start);
      const xb = new Float32Array(rows * cols);
      const yb = new Float32Array(rows);
      for (let k = 0; k < rows; k++) {
        const i = order[start + k]!;
        xb.set(x.values.subarray(i * cols, (i + 1) * cols), k * cols);
        yb[k] = y[i]!;
      }
      p.augment?.(xb, rows, cols, rng);
      const xs = tf.tensor2d(xb, [rows, cols]);
      const ys = tf.tensor2d(yb, [rows, 1]);
      const loss = await model.trainOnBatch(xs, ys);
      xs.dispose();
      ys.dispose();
      lossSum += Array.isArray(loss) ? loss[0]! : loss;
      batches++;
    }
    p.onEpoch?.(epoch, lossSum / batches);
  }
  return model;
}

export function exportMlp(model: tfl.LayersModel, architecture: MlpArchitecture): MlpWeights {
  const shapes = layerShapes(architecture);
  const tensors = model.getWeights();
  if (tensors.length !== shapes.length * 2)
    throw new ModelInputError(
      `model has ${tensors.length} weight tensors, the architecture ${shapes.length * 2}.`,
    );
  return {
    layers: shapes.map((s, k) => ({
      ...s,
      kernel: Float32Array.from(tensors[2 * k]!.dataSync()),
      bias: Float32Array.from(tensors[2 * k + 1]!.dataSync()),
    })),
  };
}

/** A tfjs model holding the given weights (for the differential test and the tfjs bench). */
export function mlpFromWeights(weights: MlpWeights, architecture: MlpArchitecture): tfl.Sequential {
  const model = createMlp({ architecture, seed: 0 });
  model.setWeights(
    weights.layers.flatMap((l) => [tf.tensor2d(l.kernel, [l.inputs, l.units]), tf.tensor1d(l.bias)]),
  );
  return model;
}

/** Probabilities (or outputs) of a tfjs model for every row. */
export function predictTfjs(model: tfl.LayersModel, x: FeatureMatrix): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d(x.values, [x.rows, x.cols])) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}
