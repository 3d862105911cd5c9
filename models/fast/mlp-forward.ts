/**
 * The hot-path forward pass: plain loops over Float32Array weights exported from tfjs, into
 * buffers allocated once. A tiny model costs microseconds here against tfjs's per-call overhead
 * (tensor creation, kernel dispatch). Proven equal to tfjs by mlp-forward.differential.test.ts.
 */
import { ModelInputError } from "../errors.ts";
import type { MlpWeights } from "../mlp/mlp-weights.ts";

export type FastMlp = {
  inputs: number;
  /** The last layer's pre-activation (a logit for a sigmoid output). */
  preActivation(input: ArrayLike<number>): number;
  /** The network's output (sigmoid applied if the last layer has it). */
  output(input: ArrayLike<number>): number;
};

export function createFastMlp(weights: MlpWeights): FastMlp {
  const layers = weights.layers;
  if (layers.length === 0) throw new ModelInputError("a network needs at least one layer.");
  const last = layers[layers.length - 1]!;
  if (last.units !== 1)
    throw new ModelInputError(`the fast path scores one output unit, the network has ${last.units}.`);
  const buffers = layers.map((l) => new Float64Array(l.units));
  const inputs = layers[0]!.inputs;
  const preActivation = (input: ArrayLike<number>): number => {
    if (input.length !== inputs)
      throw new ModelInputError(`input has ${input.length} values, the network ${inputs}.`);
    let prev: ArrayLike<number> = input;
    for (let k = 0; k < layers.length; k++) {
      const l = layers[k]!;
      const out = buffers[k]!;
      const { kernel, bias, units } = l;
      for (let u = 0; u < units; u++) out[u] = bias[u]!;
      for (let i = 0; i < l.inputs; i++) {
        const xi = prev[i]!;
        if (xi === 0) continue;
        const row = i * units;
        for (let u = 0; u < units; u++) out[u]! += xi * kernel[row + u]!;
      }
      if (k < layers.length - 1) {
        if (l.activation === "relu") for (let u = 0; u < units; u++) out[u] = Math.max(out[u]!, 0);
        else if (l.activation === "sigmoid")
          for (let u = 0; u < units; u++) out[u] = 1 / (1 + Math.exp(-out[u]!));
      }
      prev = out;
    }
    return buffers[layers.length - 1]![0]!;
  };
  return {
    inputs,
    preActivation,
    output: (input) => {
      const z = preActivation(input);
      return last.activation === "sigmoid"
        ? 1 / (1 + Math.exp(-z))
        : last.activation === "relu"
          ? Math.max(0, z)
          : z;
    },
  };
}
