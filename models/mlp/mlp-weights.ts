/**
 * A dense network's weights as plain typed arrays: what the fast path runs, what a weights file
 * stores, and what tfjs is loaded from. Kernels are row-major [inputs x units], as tfjs keeps them.
 */
export type DenseActivation = "relu" | "sigmoid" | "linear";

export type DenseLayerWeights = {
  inputs: number;
  units: number;
  activation: DenseActivation;
  kernel: Float32Array;
  bias: Float32Array;
};

export type MlpWeights = { layers: DenseLayerWeights[] };

export type MlpArchitecture = {
  inputs: number;
  hidden: readonly number[];
  /** The last layer: one unit; "sigmoid" for a probability, "linear" for a regression. */
  output: Exclude<DenseActivation, "relu">;
};

export function layerShapes(
  a: MlpArchitecture,
): { inputs: number; units: number; activation: DenseActivation }[] {
  const sizes = [a.inputs, ...a.hidden, 1];
  return sizes.slice(1).map((units, k) => ({
    inputs: sizes[k]!,
    units,
    activation: k === a.hidden.length ? a.output : "relu",
  }));
}
