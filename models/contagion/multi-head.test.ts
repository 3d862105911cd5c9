import { beforeAll, describe, expect, it } from "vitest";
import { createFastMlp } from "../fast/mlp-forward.ts";
import { createFeatureMatrix } from "../feature-matrix.ts";
import { auroc } from "../metrics/roc.ts";
import { createRng } from "../random.ts";
import { selectBackend } from "../runtime/backend.ts";
import { headWeights, type MultiHeadData, maskedLoss, trainMultiHeadMlp } from "./multi-head.ts";

beforeAll(async () => {
  await selectBackend({ prefer: "cpu" });
});

describe("headWeights", () => {
  it("gives head k the shared trunk and column k of the last layer", () => {
    // 2 inputs -> 2 ReLU -> 3 heads.
    const layers = [
      { inputs: 2, units: 2, kernel: Float32Array.of(1, -1, 2, 0.5), bias: Float32Array.of(0, 0.1) },
      { inputs: 2, units: 3, kernel: Float32Array.of(1, 2, 3, 4, 5, 6), bias: Float32Array.of(-1, 0, 1) },
    ];
    const x = [0.5, 0.25];
    const h = [Math.max(0, 0.5 + 0.5), Math.max(0, -0.5 + 0.125 + 0.1)];
    for (let k = 0; k < 3; k++) {
      const w = headWeights(layers, k);
      expect(w.layers.map((l) => [l.inputs, l.units, l.activation])).toEqual([
        [2, 2, "relu"],
        [2, 1, "sigmoid"],
      ]);
      const expected =
        layers[1]!.bias[k]! + h[0]! * layers[1]!.kernel[k]! + h[1]! * layers[1]!.kernel[3 + k]!;
      expect(createFastMlp(w).preActivation(x)).toBeCloseTo(expected, 6);
    }
    expect(() => headWeights(layers, 3)).toThrow(/head 3/);
  });
});

describe("maskedLoss", () => {
  it("averages each head's cross-entropy over its unmasked rows only", () => {
    // Two rows, two heads (row-major); row 1 head 0 is masked out.
    const loss = maskedLoss([0, 2, 100, -2], [1, 1, 0, 0], [1, 1, 0, 1], 2);
    expect(loss[0]).toBeCloseTo(Math.log(2), 9);
    expect(loss[1]).toBeCloseTo((Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-2))) / 2, 9);
    expect(maskedLoss([1], [1], [0], 1)[0]).toBeNaN();
  });

  it("smooths labels and down-weights easy rows with the focal term", () => {
    const z = 4;
    const plain = maskedLoss([z], [1], [1], 1)[0]!;
    const smooth = maskedLoss([z], [1], [1], 1, { labelSmoothing: 0.1 })[0]!;
    expect(smooth).toBeCloseTo(Math.max(z, 0) - z * 0.95 + Math.log1p(Math.exp(-z)), 9);
    const focal = maskedLoss([z], [1], [1], 1, { focalGamma: 2 })[0]!;
    expect(focal).toBeCloseTo((1 - 1 / (1 + Math.exp(-z))) ** 2 * plain, 9);
  });
});

function nestedData(rows: number, seed: number): MultiHeadData {
  // Head 0: x0 > 1; head 1: x0 > 0 (nested, like 6 h inside 24 h); head 1's labels hidden on every third row.
  const rng = createRng(seed);
  const values = Float32Array.from(
    { length: rows * 3 },
    () => 2 * (rng.next() + rng.next() + rng.next() - 1.5),
  );
  const y = new Uint8Array(rows * 2);
  const mask = new Uint8Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    y[2 * i] = values[3 * i]! > 1 ? 1 : 0;
    y[2 * i + 1] = values[3 * i]! > 0 ? 1 : 0;
    mask[2 * i] = 1;
    mask[2 * i + 1] = i % 3 === 0 ? 0 : 1;
  }
  return { x: createFeatureMatrix({ rows, names: ["a", "b", "c"], values }), y, mask };
}

describe("trainMultiHeadMlp", () => {
  it("learns every head, reproducibly, and keeps each head's best validation epoch", async () => {
    const train = nestedData(600, 1);
    const validation = nestedData(300, 2);
    const run = () =>
      trainMultiHeadMlp({
        hidden: [8],
        heads: 2,
        train,
        validation,
        patience: 3,
        seed: 7,
        epochs: 12,
        batchSize: 32,
        learningRate: 0.02,
        l2: 1e-4,
      });
    const a = await run();
    const b = await run();
    expect(a.heads).toHaveLength(2);
    expect(a.heads[0]!.layers[0]!.kernel).toEqual(b.heads[0]!.layers[0]!.kernel);
    for (const k of [0, 1]) {
      expect(a.bestEpoch[k]).toBeLessThan(a.epochsRun);
      const net = createFastMlp(a.heads[k]!);
      const scores = Array.from({ length: validation.x.rows }, (_, i) =>
        net.preActivation(validation.x.values.subarray(3 * i, 3 * i + 3)),
      );
      const labels = Array.from({ length: validation.x.rows }, (_, i) => validation.y[2 * i + k]!);
      expect(auroc(scores, labels)).toBeGreaterThan(0.95);
    }
  });

  it("rejects labels that do not match rows x heads", async () => {
    const d = nestedData(10, 3);
    await expect(
      trainMultiHeadMlp({
        hidden: [2],
        heads: 3,
        train: d,
        seed: 1,
        epochs: 1,
        batchSize: 4,
        learningRate: 0.01,
      }),
    ).rejects.toThrow(/3 heads need 30 labels/);
  });
});
