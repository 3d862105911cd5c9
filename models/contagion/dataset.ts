/**
 * Reads the simulator's dataset (an Arrow IPC file from `npm run sim:dataset`) into what the
 * contagion model and its baselines read: the feature matrix (CONTAGION_FEATURES order), labels
 * per horizon, which rows a horizon may use (not distressed already, label not censored), and
 * each row's family, run and hour (for family splits and lead times).
 */
import { readFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import { DataFileError } from "../errors.ts";
import { createFeatureMatrix, type FeatureMatrix } from "../feature-matrix.ts";
import { CONTAGION_FEATURES, CONTAGION_HORIZONS, type ContagionHorizon } from "./features.ts";

export type ContagionDataset = {
  file: string;
  x: FeatureMatrix;
  /** event_<h>h per row. */
  labels: Record<ContagionHorizon, Uint8Array>;
  /** 1 where the horizon's label is known and the protocol is not distressed yet. */
  usable: Record<ContagionHorizon, Uint8Array>;
  family: string[];
  /** Run and protocol of each row ("family/seed/protocol"): lead times are per protocol-run. */
  track: string[];
  hour: Float32Array;
  hoursToEvent: Float32Array;
};

export function readContagionDataset(file: string): ContagionDataset {
  let table: ReturnType<typeof tableFromIPC>;
  try {
    table = tableFromIPC(readFileSync(file));
  } catch (error) {
    throw new DataFileError({
      file,
      problem: `not a readable Arrow IPC file (${(error as Error).message}); make one with npm run sim:dataset`,
    });
  }
  const column = (name: string) => {
    const c = table.getChild(name);
    if (!c)
      throw new DataFileError({
        file,
        problem: `has no column "${name}"; regenerate it with npm run sim:dataset`,
      });
    return c;
  };
  const rows = table.numRows;
  const values = new Float32Array(rows * CONTAGION_FEATURES.length);
  CONTAGION_FEATURES.forEach((name, j) => {
    const c = column(name).toArray() as Float32Array;
    for (let i = 0; i < rows; i++) values[i * CONTAGION_FEATURES.length + j] = c[i]!;
  });
  const distressed = column("distressed_now").toArray() as Int8Array;
  const labels = {} as Record<ContagionHorizon, Uint8Array>;
  const usable = {} as Record<ContagionHorizon, Uint8Array>;
  for (const h of CONTAGION_HORIZONS) {
    const event = column(`event_${h}h`).toArray() as Int8Array;
    const censored = column(`censored_${h}h`).toArray() as Int8Array;
    labels[h] = Uint8Array.from(event);
    usable[h] = Uint8Array.from(event, (_, i) => (distressed[i] === 0 && censored[i] === 0 ? 1 : 0));
  }
  const family = Array.from(column("family").toArray() as string[]);
  const seed = column("seed").toArray() as Int32Array;
  const protocol = column("protocol").toArray() as string[];
  return {
    file,
    x: createFeatureMatrix({ rows, names: CONTAGION_FEATURES, values }),
    labels,
    usable,
    family,
    track: family.map((f, i) => `${f}/${seed[i]}/${protocol[i]}`),
    hour: Float32Array.from(column("hour").toArray() as Float32Array),
    hoursToEvent: Float32Array.from(column("hours_to_event").toArray() as Float32Array),
  };
}
