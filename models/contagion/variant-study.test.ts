import { describe, expect, it } from "vitest";
import { createFeatureMatrix } from "../feature-matrix.ts";
import type { ContagionDataset } from "./dataset.ts";
import { CONTAGION_FEATURES } from "./features.ts";
import { clipColumns, columnRange, familyBag, labelsAt, PEER_INPUTS, withPeers } from "./variant-inputs.ts";

/** Rows (track, hour, equity_loss_share); every other input 0. */
function dataset(rows: [string, number, number][]): ContagionDataset {
  const cols = CONTAGION_FEATURES.length;
  const j = CONTAGION_FEATURES.indexOf("equity_loss_share");
  const values = new Float32Array(rows.length * cols);
  rows.forEach(([, , v], i) => {
    values[i * cols + j] = v;
  });
  const zeros = new Uint8Array(rows.length);
  return {
    file: "test",
    x: createFeatureMatrix({ rows: rows.length, names: CONTAGION_FEATURES, values }),
    labels: { 6: zeros, 24: zeros, 72: zeros },
    usable: { 6: zeros, 24: zeros, 72: zeros },
    family: rows.map(([t]) => t.split("/")[0]!),
    track: rows.map(([t]) => t),
    hour: Float32Array.from(rows, ([, h]) => h),
    hoursToEvent: new Float32Array(rows.length),
  };
}

describe("withPeers", () => {
  it("adds the mean and max over the same run's other protocols at the same hour only", () => {
    const d = dataset([
      ["fam/1/a", 0, 0.1],
      ["fam/1/b", 0, 0.4],
      ["fam/1/c", 0, 0.2],
      ["fam/1/a", 1, 0.9], // a later hour: never seen by hour 0's rows
      ["fam/1/b", 1, 0.5],
      ["fam/2/a", 0, 0.7], // another run (seed 2), alone at its hour
    ]);
    const m = withPeers(d);
    const k = PEER_INPUTS.length;
    expect(m.cols).toBe(CONTAGION_FEATURES.length + 2 * k);
    const mean = m.names.indexOf("peer_mean_equity_loss_share");
    const max = m.names.indexOf("peer_max_equity_loss_share");
    const at = (i: number, c: number) => m.values[i * m.cols + c]!;
    expect([0, 1, 2].map((i) => at(i, mean))).toEqual(
      [(0.4 + 0.2) / 2, (0.1 + 0.2) / 2, (0.1 + 0.4) / 2].map(Math.fround),
    );
    expect([0, 1, 2].map((i) => at(i, max))).toEqual([0.4, 0.2, 0.4].map(Math.fround));
    expect([at(3, mean), at(3, max), at(4, max)]).toEqual([0.5, 0.5, 0.9].map(Math.fround));
    expect([at(5, mean), at(5, max)]).toEqual([0, 0]);
    // The dataset's own inputs are kept as they were.
    expect(m.values.subarray(0, CONTAGION_FEATURES.length)).toEqual(
      d.x.values.subarray(0, CONTAGION_FEATURES.length),
    );
  });
});

describe("labelsAt", () => {
  it("labels any horizon from the hours to the next distress, censored by the run's end", () => {
    // Track a: hours 0..9, distressed from hour 8. Track b: hours 0..9, never distressed.
    const hours = Array.from({ length: 10 }, (_, t) => t);
    const d = dataset([
      ...hours.map((t): [string, number, number] => ["f/1/a", t, 0]),
      ...hours.map((t): [string, number, number] => ["f/1/b", t, 0]),
    ]);
    d.hoursToEvent = Float32Array.from([
      ...hours.map((t) => (t < 8 ? 8 - t : 1)),
      ...hours.map(() => Number.NaN),
    ]);
    // The dataset's own usable rows: a before its distress; b where 6 more hours remain.
    const u6 = Uint8Array.from([...hours.map((t) => (t < 8 ? 1 : 0)), ...hours.map((t) => (t <= 3 ? 1 : 0))]);
    const none = new Uint8Array(20);
    d.usable = {
      6: u6,
      24: Uint8Array.from(hours.flatMap((t) => [t < 8 ? 1 : 0]).concat(hours.map(() => 0))),
      72: none,
    };
    const r = labelsAt(d, 3);
    expect(Array.from(r.labels.subarray(0, 10))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    expect(Array.from(r.usable.subarray(0, 10))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    // b: no event; known where 3 more hours remain, and only on rows usable at some dataset horizon.
    expect(Array.from(r.labels.subarray(10))).toEqual(new Array(10).fill(0));
    expect(Array.from(r.usable.subarray(10))).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });
});

describe("familyBag", () => {
  it("drops whole families, a seeded share of them, and keeps at least one", () => {
    const d = dataset(
      ["a", "b", "c", "d"].flatMap((f) => [0, 1, 2].map((t): [string, number, number] => [`${f}/1/p`, t, 0])),
    );
    const rows = Array.from({ length: 12 }, (_, i) => i);
    const kept = familyBag(d, rows, 0.25, 5);
    expect(kept).toHaveLength(9);
    const families = new Set(kept.map((i) => d.family[i]));
    expect(families.size).toBe(3);
    // A family is either wholly kept or wholly dropped, and the draw repeats with its seed.
    for (const f of families) expect(kept.filter((i) => d.family[i] === f)).toHaveLength(3);
    expect(familyBag(d, rows, 0.25, 5)).toEqual(kept);
    expect(new Set(familyBag(d, rows, 1, 5).map((i) => d.family[i])).size).toBe(1);
  });
});

describe("columnRange and clipColumns", () => {
  it("clamps each column into the range the reference rows span", () => {
    const train = createFeatureMatrix({ rows: 2, names: ["a", "b"], values: Float32Array.of(0, -1, 2, 1) });
    const r = columnRange(train);
    expect([Array.from(r.min), Array.from(r.max)]).toEqual([
      [0, -1],
      [2, 1],
    ]);
    const m = createFeatureMatrix({ rows: 2, names: ["a", "b"], values: Float32Array.of(5, 0.5, -3, -7) });
    expect(Array.from(clipColumns(m, r).values)).toEqual([2, 0.5, 0, -1]);
  });
});
