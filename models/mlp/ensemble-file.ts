/**
 * The weights file of a deep ensemble of MLPs (one JSON file, KBs): architecture, feature names,
 * the standardiser fitted on the training rows, each member's tensors (float32, little-endian,
 * base64), the probability calibration and the interval rule, plus how it was trained. Reading
 * checks every tensor against the architecture and names the one that does not fit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { PlattScaling } from "../calibration/platt.ts";
import { WeightsFileError } from "../errors.ts";
import type { Standardizer } from "../feature-matrix.ts";
import { layerShapes, type MlpArchitecture, type MlpWeights } from "./mlp-weights.ts";

export const ENSEMBLE_FORMAT = "liquidity-negotiation/mlp-ensemble/v1";

const floats = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64 float32 data");
const FileSchema = z.object({
  format: z.literal(ENSEMBLE_FORMAT),
  model: z.string(),
  architecture: z.object({
    inputs: z.number().int().positive(),
    hidden: z.array(z.number().int().positive()),
    output: z.enum(["sigmoid", "linear"]),
  }),
  features: z.array(z.string()),
  standardizer: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  members: z
    .array(
      z.object({
        seed: z.number().int(),
        tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), data: floats })),
      }),
    )
    .min(1),
  calibration: z.object({ kind: z.literal("platt"), a: z.number(), b: z.number() }).nullable(),
  interval: z.object({ level: z.number().gt(0).lt(1), z: z.number().positive() }),
  training: z.record(z.string(), z.unknown()),
});

export type EnsembleFileJson = z.infer<typeof FileSchema>;

export type MlpEnsemble = {
  model: string;
  architecture: MlpArchitecture;
  features: readonly string[];
  standardizer: Standardizer;
  members: { seed: number; weights: MlpWeights }[];
  calibration: PlattScaling | null;
  interval: { level: number; z: number };
  training: Record<string, unknown>;
};

function encode(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function decode(s: string): Float32Array {
  const b = Buffer.from(s, "base64");
  if (b.byteLength % 4 !== 0) return new Float32Array(Number.NaN);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function ensembleToJson(e: MlpEnsemble): EnsembleFileJson {
  return {
    format: ENSEMBLE_FORMAT,
    model: e.model,
    architecture: {
      inputs: e.architecture.inputs,
      hidden: [...e.architecture.hidden],
      output: e.architecture.output,
    },
    features: [...e.features],
    standardizer: { mean: Array.from(e.standardizer.mean), std: Array.from(e.standardizer.std) },
    members: e.members.map((m) => ({
      seed: m.seed,
      tensors: m.weights.layers.flatMap((l, k) => [
        { name: `dense_${k}/kernel`, shape: [l.inputs, l.units], data: encode(l.kernel) },
        { name: `dense_${k}/bias`, shape: [l.units], data: encode(l.bias) },
      ]),
    })),
    calibration: e.calibration,
    interval: e.interval,
    training: e.training,
  };
}

export function writeEnsembleFile(file: string, e: MlpEnsemble): void {
  writeFileSync(file, `${JSON.stringify(ensembleToJson(e), null, 1)}\n`);
}

export function ensembleFromJson(file: string, json: unknown): MlpEnsemble {
  const r = FileSchema.safeParse(json);
  if (!r.success)
    throw new WeightsFileError({
      file,
      problem: `is not an ensemble weights file: ${z.prettifyError(r.error)}`,
    });
  const j = r.data;
  const arch: MlpArchitecture = j.architecture;
  if (j.features.length !== arch.inputs)
    throw new WeightsFileError({
      file,
      problem: `lists ${j.features.length} features for ${arch.inputs} inputs`,
    });
  if (j.standardizer.mean.length !== arch.inputs || j.standardizer.std.length !== arch.inputs)
    throw new WeightsFileError({
      file,
      tensor: "standardizer",
      problem: `has ${j.standardizer.mean.length} means and ${j.standardizer.std.length} stds for ${arch.inputs} inputs`,
    });
  if (j.standardizer.std.some((s) => !(s > 0)))
    throw new WeightsFileError({ file, tensor: "standardizer", problem: "has a non-positive std" });
  const shapes = layerShapes(arch);
  const members = j.members.map((m, mi) => {
    if (m.tensors.length !== shapes.length * 2)
      throw new WeightsFileError({
        file,
        tensor: `members[${mi}]`,
        problem: `has ${m.tensors.length} tensors, the architecture needs ${shapes.length * 2}`,
      });
    const layers = shapes.map((s, k) => {
      const get = (t: number, want: number[]) => {
        const tensor = m.tensors[t]!;
        const name = `members[${mi}].${tensor.name}`;
        if (tensor.shape.length !== want.length || tensor.shape.some((d, i) => d !== want[i]))
          throw new WeightsFileError({
            file,
            tensor: name,
            problem: `has shape [${tensor.shape}], expected [${want}]`,
          });
        const data = decode(tensor.data);
        const n = want.reduce((a, b) => a * b, 1);
        if (data.length !== n)
          throw new WeightsFileError({
            file,
            tensor: name,
            problem: `holds ${data.length} floats, shape [${want}] needs ${n}`,
          });
        if (data.some((v) => !Number.isFinite(v)))
          throw new WeightsFileError({ file, tensor: name, problem: "holds NaN or infinite values" });
        return data;
      };
      return { ...s, kernel: get(2 * k, [s.inputs, s.units]), bias: get(2 * k + 1, [s.units]) };
    });
    return { seed: m.seed, weights: { layers } };
  });
  return {
    model: j.model,
    architecture: arch,
    features: j.features,
    standardizer: {
      names: j.features,
      mean: Float32Array.from(j.standardizer.mean),
      std: Float32Array.from(j.standardizer.std),
    },
    members,
    calibration: j.calibration,
    interval: j.interval,
    training: j.training,
  };
}

export function readEnsembleFile(file: string): MlpEnsemble {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new WeightsFileError({ file, problem: "cannot be read (missing?)", cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new WeightsFileError({ file, problem: "is not valid JSON", cause });
  }
  return ensembleFromJson(file, json);
}
