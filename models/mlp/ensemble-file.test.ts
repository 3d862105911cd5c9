import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WeightsFileError } from "../errors.ts";
import { createMarketScorer } from "../market/model.ts";
import { selectBackend } from "../runtime/backend.ts";
import { ensembleToJson, type MlpEnsemble, readEnsembleFile, writeEnsembleFile } from "./ensemble-file.ts";
import { createMlp, exportMlp } from "./tfjs-mlp.ts";

const dir = mkdtempSync(join(tmpdir(), "weights-"));

async function tiny(inputs = 4): Promise<MlpEnsemble> {
  await selectBackend({ prefer: "cpu" });
  const architecture = { inputs, hidden: [3], output: "sigmoid" as const };
  const names = Array.from({ length: inputs }, (_, j) => `f${j}`);
  return {
    model: "tiny",
    architecture,
    features: names,
    standardizer: { names, mean: new Float32Array(inputs), std: new Float32Array(inputs).fill(1) },
    members: [1, 2].map((seed) => ({
      seed,
      weights: exportMlp(createMlp({ architecture, seed }), architecture),
    })),
    calibration: { kind: "platt", a: 1.1, b: -0.2 },
    interval: { level: 0.9, z: 1.645 },
    training: { note: "test" },
  };
}

const error = (fn: () => unknown): WeightsFileError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof WeightsFileError) return e;
    throw e;
  }
  throw new Error("did not throw");
};

describe("ensemble weights file", () => {
  it("round-trips every float exactly", async () => {
    const e = await tiny();
    const f = join(dir, "ok.json");
    writeEnsembleFile(f, e);
    const back = readEnsembleFile(f);
    expect(Array.from(back.members[1]!.weights.layers[0]!.kernel)).toEqual(
      Array.from(e.members[1]!.weights.layers[0]!.kernel),
    );
    expect(back.calibration).toEqual(e.calibration);
  });
  it("a tensor of the wrong shape is named", async () => {
    const json = ensembleToJson(await tiny());
    json.members[1]!.tensors[2]!.shape = [4, 1];
    const f = join(dir, "shape.json");
    writeFileSync(f, JSON.stringify(json));
    const e = error(() => readEnsembleFile(f));
    expect(e.tensor).toBe("members[1].dense_1/kernel");
    expect(e.message).toMatch(/has shape \[4,1\], expected \[3,1\]/);
  });
  it("data that do not fill the declared shape are named", async () => {
    const json = ensembleToJson(await tiny());
    json.members[0]!.tensors[1]!.data = Buffer.from(new Float32Array([1, 2]).buffer).toString("base64");
    const f = join(dir, "short.json");
    writeFileSync(f, JSON.stringify(json));
    expect(error(() => readEnsembleFile(f)).message).toMatch(
      /members\[0\]\.dense_0\/bias.*holds 2 floats, shape \[3\] needs 3/,
    );
  });
  it("NaN weights, a missing file, a non-weights JSON", async () => {
    const json = ensembleToJson(await tiny());
    json.members[0]!.tensors[3]!.data = Buffer.from(new Float32Array([Number.NaN]).buffer).toString("base64");
    const f = join(dir, "nan.json");
    writeFileSync(f, JSON.stringify(json));
    expect(error(() => readEnsembleFile(f)).message).toMatch(/NaN or infinite/);
    expect(error(() => readEnsembleFile(join(dir, "none.json"))).message).toMatch(
      /cannot be read \(missing\?\)/,
    );
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    expect(error(() => readEnsembleFile(join(dir, "other.json"))).message).toMatch(
      /not an ensemble weights file/,
    );
  });
  it("weights trained on other features are refused by the market scorer, naming the file", async () => {
    const f = join(dir, "tiny.json");
    writeEnsembleFile(f, await tiny());
    const e = error(() => createMarketScorer(readEnsembleFile(f), f));
    expect(e.tensor).toBe("features");
    expect(readFileSync(f, "utf8").length).toBeLessThan(10_000);
  });
});
