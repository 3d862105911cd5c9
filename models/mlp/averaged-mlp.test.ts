import { describe, expect, it } from "vitest";
import { createFastMlp } from "../fast/mlp-forward.ts";
import { createRng } from "../random.ts";
import { averagedMlp } from "./averaged-mlp.ts";
import { layerShapes, type MlpWeights } from "./mlp-weights.ts";

function randomNet(seed: number, hidden: number[]): MlpWeights {
  const rng = createRng(seed);
  return {
    layers: layerShapes({ inputs: 5, hidden, output: "sigmoid" }).map((s) => ({
      ...s,
      kernel: Float32Array.from({ length: s.inputs * s.units }, () => rng.next() * 2 - 1),
      bias: Float32Array.from({ length: s.units }, () => rng.next() - 0.5),
    })),
  };
}

describe("averagedMlp", () => {
  it("is one network whose logit is the mean of the networks' logits", () => {
    const nets = [randomNet(1, [6, 4]), randomNet(2, [6, 4]), randomNet(3, [6, 4])];
    const merged = averagedMlp(nets);
    expect(merged.layers.map((l) => [l.inputs, l.units])).toEqual([
      [5, 18],
      [18, 12],
      [12, 1],
    ]);
    const one = nets.map(createFastMlp);
    const all = createFastMlp(merged);
    const rng = createRng(4);
    for (let t = 0; t < 200; t++) {
      const x = Float32Array.from({ length: 5 }, () => rng.next() * 6 - 3);
      const mean = one.reduce((a, n) => a + n.preActivation(x), 0) / one.length;
      expect(all.preActivation(x)).toBeCloseTo(mean, 5);
      expect(all.output(x)).toBeCloseTo(1 / (1 + Math.exp(-mean)), 6);
    }
  });

  it("returns a lone network as it is and refuses networks that cannot be averaged", () => {
    const a = randomNet(1, [6, 4]);
    expect(averagedMlp([a])).toBe(a);
    expect(() => averagedMlp([])).toThrow(/at least one/);
    expect(() => averagedMlp([a, randomNet(2, [6])])).toThrow(/layers/);
  });
});
