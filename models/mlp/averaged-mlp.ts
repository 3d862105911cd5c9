/**
 * Several single-output MLPs of the same depth as ONE wider MLP whose pre-activation is the mean
 * of theirs: the first layer puts their units side by side, each deeper hidden layer is block-
 * diagonal (a unit only sees its own network's units), and the output layer is each network's
 * output weights over n, with the mean bias. ReLU acts unit by unit, so the result is exact (up to
 * float32 rounding), and it is an ordinary MlpWeights: the weights file, the fast forward pass and
 * tfjs take it unchanged. The contagion model uses it to ship "the mean of the horizons' logits"
 * (a 24 h member is its 24 h and 6 h heads, each from its own best epoch) as one network.
 */
import { ModelInputError } from "../errors.ts";
import type { DenseLayerWeights, MlpWeights } from "./mlp-weights.ts";

export function averagedMlp(nets: readonly MlpWeights[]): MlpWeights {
  const first = nets[0];
  if (!first) throw new ModelInputError("averagedMlp needs at least one network.");
  const depth = first.layers.length;
  for (const [n, net] of nets.entries()) {
    if (net.layers.length !== depth)
      throw new ModelInputError(`network ${n} has ${net.layers.length} layers, network 0 has ${depth}.`);
    if (net.layers[0]!.inputs !== first.layers[0]!.inputs)
      throw new ModelInputError(
        `network ${n} takes ${net.layers[0]!.inputs} inputs, network 0 ${first.layers[0]!.inputs}.`,
      );
    if (net.layers[depth - 1]!.units !== 1)
      throw new ModelInputError(`network ${n} has ${net.layers[depth - 1]!.units} outputs; one is averaged.`);
    if (net.layers[depth - 1]!.activation !== first.layers[depth - 1]!.activation)
      throw new ModelInputError(`network ${n}'s output activation differs from network 0's.`);
  }
  if (nets.length === 1) return first;
  const layers: DenseLayerWeights[] = [];
  for (let k = 0; k < depth; k++) {
    const parts = nets.map((net) => net.layers[k]!);
    const last = k === depth - 1;
    // Each network's units in this layer start at its offset; its inputs (below the first layer)
    // at its offset in the previous layer.
    const inputs = k === 0 ? parts[0]!.inputs : layers[k - 1]!.units;
    const units = last ? 1 : parts.reduce((a, p) => a + p.units, 0);
    const kernel = new Float32Array(inputs * units);
    const bias = new Float32Array(units);
    let inOffset = 0;
    let outOffset = 0;
    for (const p of parts) {
      const scale = last ? 1 / nets.length : 1;
      for (let i = 0; i < p.inputs; i++)
        for (let u = 0; u < p.units; u++)
          kernel[((k === 0 ? 0 : inOffset) + i) * units + (last ? 0 : outOffset) + u] =
            p.kernel[i * p.units + u]! * scale;
      for (let u = 0; u < p.units; u++) bias[(last ? 0 : outOffset) + u]! += p.bias[u]! * scale;
      inOffset += p.inputs;
      outOffset += p.units;
    }
    layers.push({ inputs, units, activation: parts[0]!.activation, kernel, bias });
  }
  return { layers };
}
