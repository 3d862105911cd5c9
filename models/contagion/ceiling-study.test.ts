import { describe, expect, it } from "vitest";
import { createFeatureMatrix } from "../feature-matrix.ts";
import { ceilingSplit, runCeilingStudy } from "./ceiling-study.ts";
import type { ContagionDataset } from "./dataset.ts";
import { CONTAGION_FEATURES } from "./features.ts";

/** `perRun` rows for each (family, seed); one value drawn per row in every input, label = 0.3 < it < 0.6
 *  (every input carries it, so a forest's random input subsets always find it). */
function dataset(runs: [string, number][], perRun: number): ContagionDataset {
  const cols = CONTAGION_FEATURES.length;
  const n = runs.length * perRun;
  const values = new Float32Array(n * cols);
  const labels = new Uint8Array(n);
  const tracks: string[] = [];
  for (let r = 0; r < runs.length; r++)
    for (let k = 0; k < perRun; k++) {
      const i = r * perRun + k;
      const v = (i * 0.618034) % 1; // evenly spread in [0, 1), no two rows alike
      values.fill(v, i * cols, (i + 1) * cols);
      labels[i] = v > 0.3 && v < 0.6 ? 1 : 0;
      tracks.push(`${runs[r]![0]}/${runs[r]![1]}/p${k % 3}`);
    }
  const usable = new Uint8Array(n).fill(1);
  return {
    file: "test",
    x: createFeatureMatrix({ rows: n, names: CONTAGION_FEATURES, values }),
    labels: { 6: labels, 24: labels, 72: labels },
    usable: { 6: usable, 24: usable, 72: usable },
    family: tracks.map((t) => t.split("/")[0]!),
    track: tracks,
    hour: new Float32Array(n),
    hoursToEvent: new Float32Array(n),
  };
}

const RUNS: [string, number][] = [
  ["small-calm", 1],
  ["small-calm", 2],
  ["chain-contagion", 1], // calibration family: in no set
  ["ring-contagion", 1],
  ["ring-contagion", 2],
  ["ring-contagion", 3],
  ["thin-markets", 3],
];

describe("ceilingSplit", () => {
  it("splits only the test families, by run seed, and leaves the calibration families out", () => {
    const d = dataset(RUNS, 4);
    const s = ceilingSplit(d, 24, 2);
    const runsOf = (rows: number[]) => [
      ...new Set(rows.map((i) => d.track[i]!.split("/").slice(0, 2).join("/"))),
    ];
    expect(runsOf(s.trainFamilies)).toEqual(["small-calm/1", "small-calm/2"]);
    expect(runsOf(s.seen)).toEqual(["ring-contagion/1", "ring-contagion/2"]);
    expect(runsOf(s.unseen)).toEqual(["ring-contagion/3", "thin-markets/3"]);
  });
});

describe("runCeilingStudy", () => {
  it("scores every training set on the unseen seeds only", async () => {
    const d = dataset(RUNS, 60);
    const rows = await runCeilingStudy({
      dataset: d,
      horizons: [24],
      learners: ["forest", "multi-task"],
      members: 1,
      seenSeeds: 2,
      seed: 1,
    });
    expect(rows.map((r) => `${r.learner}: ${r.trainedOn}`)).toEqual([
      "forest: training families",
      "forest: training families + seen test seeds",
      "forest: seen test seeds only",
      "multi-task: training families",
      "multi-task: training families + seen test seeds",
      "multi-task: seen test seeds only",
    ]);
    // One input decides the label, so every learner ranks the unseen seeds well.
    for (const r of rows) expect(r.auroc).toBeGreaterThan(0.9);
    await expect(
      runCeilingStudy({
        dataset: d,
        horizons: [24],
        learners: ["forest"],
        members: 1,
        seenSeeds: 3,
        seed: 1,
      }),
    ).rejects.toThrow(/no seen or no unseen/);
  });
});
