import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { parseDatasetArgs } from "./cli.ts";
import { COLUMNS } from "./columns.ts";
import { parseDatasetOptions } from "./dataset-options.ts";
import { DatasetOptionsError } from "./errors.ts";
import { generateDataset } from "./generate-dataset.ts";

const dir = () => mkdtempSync(join(tmpdir(), "dataset-"));
const small = { positionsPerLending: 20, tradersPerSide: 5, localWorkers: 0 };

describe("generateDataset", () => {
  it("writes an Arrow file with every column, family and seed, and a schema file", async () => {
    const out = join(dir(), "d.arrow");
    const progress: number[] = [];
    const summary = await generateDataset({
      options: parseDatasetOptions({
        families: ["small-calm", "chain-contagion"],
        seeds: [1, 2],
        out,
        ...small,
      }),
      onProgress: (p) => progress.push(p.done),
    });
    expect(progress).toEqual([1, 2, 3, 4]);
    const table = tableFromIPC(readFileSync(out));
    expect(table.numRows).toBe(summary.rows);
    expect(table.schema.fields.map((f) => f.name)).toEqual(COLUMNS.map((c) => c.name));
    expect(new Set(table.getChild("family")!.toArray())).toEqual(new Set(["small-calm", "chain-contagion"]));
    expect(new Set(table.getChild("seed")!.toArray())).toEqual(new Set([1, 2]));
    const schema = JSON.parse(readFileSync(out.replace(/\.arrow$/, ".schema.json"), "utf8"));
    expect(schema.features.length + schema.keys.length + schema.labels.length).toBe(COLUMNS.length);
    expect(schema.generated.rows).toBe(summary.rows);
    // Positives counted in the summary are the file's.
    const events = table.getChild("event_24h")!.toArray() as Int8Array;
    expect(events.reduce((s, x) => s + x, 0)).toBe(summary.positives["24h"]);
  });
});

describe("bad input", () => {
  it("refuses an existing --out at once, before generating anything", async () => {
    const out = join(dir(), "exists.arrow");
    writeFileSync(out, "keep me");
    const started = performance.now();
    await expect(
      generateDataset({
        options: parseDatasetOptions({ families: ["all"], seeds: [1, 2, 3], out, ...small }),
      }),
    ).rejects.toThrow(/--out: .*exists\.arrow already exists/);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(readFileSync(out, "utf8")).toBe("keep me");
  });

  it("refuses an unwritable or missing folder with a message", async () => {
    const d = dir();
    chmodSync(d, 0o500);
    const isRoot = process.getuid?.() === 0;
    const attempt = generateDataset({
      options: parseDatasetOptions({
        families: ["small-calm"],
        seeds: [1],
        out: join(d, "x.arrow"),
        ...small,
      }),
    });
    if (isRoot)
      await attempt.catch(() => {}); // root may write anywhere
    else await expect(attempt).rejects.toThrow(/permission denied/);
    await expect(
      generateDataset({
        options: parseDatasetOptions({
          families: ["small-calm"],
          seeds: [1],
          out: "/no/such/folder/x.arrow",
          ...small,
        }),
      }),
    ).rejects.toThrow(/its folder does not exist/);
    expect(existsSync("/no/such/folder/x.arrow")).toBe(false);
  });

  it("names the field of a bad option", () => {
    const ok = { families: ["all"], seeds: [1], out: "x.arrow", ...small };
    expect(() => parseDatasetOptions({ ...ok, seeds: [-1] })).toThrow(/seeds\.0: expected seeds >= 0/);
    expect(() => parseDatasetOptions({ ...ok, out: "x.csv" })).toThrow(
      /out: expected a path ending in "\.arrow"/,
    );
    expect(() => parseDatasetOptions({ ...ok, positionsPerLending: 0 })).toThrow(
      /positionsPerLending: expected at least 1/,
    );
    expect(() => parseDatasetOptions({ ...ok, families: ["nope"] })).toThrow(DatasetOptionsError);
    expect(() => parseDatasetOptions({ ...ok, extra: 1 })).toThrow(/Unrecognized key/);
  });

  it("gives plain messages for malformed command lines", () => {
    expect(() => parseDatasetArgs(["--seeds=-3"])).toThrow(/--seeds: expected a count/);
    expect(() => parseDatasetArgs(["--seeds", "1..x"])).toThrow(/--seeds: expected a count/);
    expect(() => parseDatasetArgs(["--seeds", "-3"])).toThrow(/--seeds: .*"-3" is not a whole number >= 0/);
    expect(() => parseDatasetArgs(["--seeds=-3"])).toThrow(/--seeds: .*"-3" is not a whole number >= 0/);
    expect(() => parseDatasetArgs(["--seeds", "1,,2"])).toThrow(/--seeds: .*entry 2 is empty/);
    expect(() => parseDatasetArgs(["--seeds", "3,3"])).toThrow(/--seeds: .*seed 3 is listed twice/);
    expect(() => parseDatasetArgs(["--seeds", "1e3"])).toThrow(/--seeds: .*"1e3" is not a whole number/);
    expect(() => parseDatasetArgs(["--positions", "-2"])).toThrow(/--positions: expected a whole number/);
    expect(() => parseDatasetArgs(["--positions", "2.5"])).toThrow(/--positions: expected a whole number/);
    expect(() => parseDatasetArgs(["--local-workers", "2"])).toThrow(/only with --nats/);
    expect(() => parseDatasetArgs(["--nats", "localhost"])).toThrow(/--nats: expected a URL/);
    expect(() => parseDatasetArgs(["--worker"])).toThrow(/needs --nats/);
    const ok = parseDatasetArgs(
      ["--seeds", "1..3", "--families", "ring-contagion"],
      new Date("2026-01-02T03:04:05Z"),
    );
    expect(ok).toMatchObject({
      action: "generate",
      options: {
        seeds: [1, 2, 3],
        families: ["ring-contagion"],
        out: "sim-out/dataset-20260102-030405.arrow",
      },
    });
  });
});
