/**
 * A run's rows as one Arrow record batch, with the schema built from columns.ts (so every batch of
 * a dataset has the same schema), and the schema file written beside the data.
 */
import {
  type DataType,
  Field,
  Float32,
  Float64,
  Int8,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import {
  COLUMNS,
  type ColumnType,
  DATASET_SCHEMA_VERSION,
  FEATURE_COLUMNS,
  HORIZONS_HOURS,
  KEY_COLUMNS,
  LABEL_COLUMNS,
} from "./columns.ts";
import { DatasetError } from "./errors.ts";
import type { RunRows } from "./generate-run.ts";

const arrowType = (t: ColumnType): DataType => {
  switch (t) {
    case "utf8":
      return new Utf8();
    case "int32":
      return new Int32();
    case "int8":
      return new Int8();
    case "float32":
      return new Float32();
    case "float64":
      return new Float64();
  }
};

export const ARROW_SCHEMA = new Schema(COLUMNS.map((c) => new Field(c.name, arrowType(c.type), false)));

/** Every column of a run, by name, in row order t * protocols + i. */
export function runColumns(run: RunRows): Map<string, ArrayLike<number> | string[]> {
  const { observations: obs, labels } = run;
  const n = obs.protocols;
  const rows = run.rows;
  const cols = new Map<string, ArrayLike<number> | string[]>();
  const protocolIndex = new Int32Array(rows);
  const step = new Int32Array(rows);
  const hour = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    protocolIndex[r] = r % n;
    step[r] = Math.floor(r / n);
    hour[r] = step[r]! * run.stepHours;
  }
  cols.set("family", new Array<string>(rows).fill(run.family));
  cols.set("seed", new Int32Array(rows).fill(run.seed));
  cols.set("scenario", new Array<string>(rows).fill(run.scenario));
  cols.set(
    "protocol",
    Array.from(protocolIndex, (i) => run.protocolIds[i]!),
  );
  cols.set("protocol_index", protocolIndex);
  cols.set(
    "kind",
    Array.from(protocolIndex, (i) => run.kinds[i]!),
  );
  cols.set("step", step);
  cols.set("hour", hour);
  cols.set("protocols_in_run", new Int32Array(rows).fill(n));
  FEATURE_COLUMNS.forEach((c, k) => {
    cols.set(c.name, obs.features[k]!);
  });
  cols.set("distressed_now", labels.distressedNow);
  HORIZONS_HOURS.forEach((h, k) => {
    cols.set(`event_${h}h`, labels.event[k]!);
    cols.set(`censored_${h}h`, labels.censored[k]!);
  });
  cols.set("hours_to_event", labels.hoursToEvent);
  cols.set("shortfall_72h_usd", labels.shortfall72hUsd);
  return cols;
}

export function runToRecordBatch(run: RunRows): RecordBatch {
  const cols = runColumns(run);
  const children = COLUMNS.map((c, k) => {
    const values = cols.get(c.name);
    if (values === undefined) throw new DatasetError({ problem: `column ${c.name} was not filled` });
    const type = ARROW_SCHEMA.fields[k]!.type;
    return vectorFromArray(values as never, type).data[0]!;
  });
  const data = makeData({ type: new Struct(ARROW_SCHEMA.fields), length: run.rows, nullCount: 0, children });
  return new RecordBatch(ARROW_SCHEMA, data);
}

/** The schema file: every column with its type, role and meaning, and how rows were made. */
export function schemaDocument(meta: Record<string, unknown>) {
  return {
    v: DATASET_SCHEMA_VERSION,
    format:
      "Apache Arrow IPC file (Feather v2): pandas.read_feather, polars.read_ipc, DuckDB read via pyarrow",
    rows: "one per protocol per engine step",
    keys: KEY_COLUMNS,
    features: FEATURE_COLUMNS,
    labels: LABEL_COLUMNS,
    notes: [
      "Features at step t use only the present and the past (sims/dataset/observe-protocols.test.ts truncates a run and checks).",
      "Distress = insolvent (network clearing) or halted withdrawals. event_Hh is 1 when a protocol not distressed at t is distressed at some step in (t, t+H].",
      "Hold out whole families (the family column); never split rows of one run or family at random.",
    ],
    ...meta,
  };
}
