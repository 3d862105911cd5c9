/**
 * `npx tsx bench/dataset.ts [--seeds n] [--rows n] [--quick]` (also `npm run bench -- --only dataset`):
 * dataset generation speed in labelled protocol-steps (rows) per second, beside its baseline
 * measured in the same run: the engine alone on the same scenarios and seeds (no observer, no
 * labels, no Arrow). The ratio is the cost of observing, labelling and writing. With --rows, the
 * generation keeps adding seeds until it has written that many rows (the target:
 * 1,000,000 rows in under 10 minutes on this machine). Writes bench/results/dataset.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_DATASET_OPTIONS, parseDatasetOptions } from "../sims/dataset/dataset-options.ts";
import { generateDataset } from "../sims/dataset/generate-dataset.ts";
import { runEngine } from "../sims/engine/run-engine.ts";
import { findFamily, listFamilies, sampleScenario } from "../sims/scenarios/families/catalogue.ts";
import { machineInfo, progress } from "./env.ts";
import { formatJson } from "./stats.ts";

const TARGET = { rows: 1_000_000, seconds: 600 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seeds: { type: "string" }, rows: { type: "string" }, quick: { type: "boolean" } },
  });
  const quick = Boolean(values.quick);
  const seedsPerFamily = Number(values.seeds ?? (quick ? 1 : 5));
  const families = listFamilies().map((f) => f.name);
  const seeds = Array.from({ length: seedsPerFamily }, (_, i) => i + 1);
  const engine = {
    positionsPerLending: DEFAULT_DATASET_OPTIONS.positionsPerLending,
    tradersPerSide: DEFAULT_DATASET_OPTIONS.tradersPerSide,
  };
  const dir = mkdtempSync(join(tmpdir(), "bench-dataset-"));

  // Warm-up (JIT, market-data slices loaded once per process): one untimed run per family, so
  // neither measurement pays for it.
  progress("dataset: warm-up");
  await generateDataset({
    options: parseDatasetOptions({
      families,
      seeds: [999],
      out: join(dir, "warmup.arrow"),
      ...engine,
      localWorkers: 0,
    }),
  });
  // Baseline: the engine alone, same scenarios, seeds and options.
  progress(`dataset: engine alone, ${families.length} families x ${seeds.length} seeds`);
  let engineRows = 0;
  const e0 = performance.now();
  for (const name of families)
    for (const seed of seeds) {
      const r = await runEngine({ scenario: sampleScenario(findFamily(name), seed), seed, options: engine });
      engineRows += (r.steps + 1) * r.protocols.length;
    }
  const engineSeconds = (performance.now() - e0) / 1000;

  progress("dataset: generation (engine + features + labels + Arrow file)");
  const sample = await generateDataset({
    options: parseDatasetOptions({
      families,
      seeds,
      out: join(dir, "sample.arrow"),
      ...engine,
      localWorkers: 0,
    }),
  });
  const sampleSeconds = sample.durationMs / 1000;

  let target: { rows: number; seconds: number; rowsPerSecond: number; seeds: number } | undefined;
  const wanted = values.rows === undefined ? undefined : Number(values.rows);
  if (wanted !== undefined) {
    // Seeds per family so that the run has at least `wanted` rows (from the sample's rows per run).
    const rowsPerSeed = sample.rows / seeds.length;
    const n = Math.ceil(wanted / rowsPerSeed);
    progress(`dataset: ${wanted} rows target, ${n} seeds per family`);
    const big = await generateDataset({
      options: parseDatasetOptions({
        families,
        seeds: Array.from({ length: n }, (_, i) => 1000 + i),
        out: join(dir, "target.arrow"),
        ...engine,
        localWorkers: 0,
      }),
      onProgress: (p) => {
        if (p.done % families.length === 0) progress(`dataset: ${p.done}/${p.total} runs, ${p.rows} rows`);
      },
    });
    target = { rows: big.rows, seconds: big.durationMs / 1000, rowsPerSecond: big.rowsPerSecond, seeds: n };
  }
  rmSync(dir, { recursive: true, force: true });

  const rowsPerSecond = sample.rows / sampleSeconds;
  const result = {
    benchmark: "dataset",
    machine: machineInfo(),
    definitions: {
      row: "one protocol at one engine step (an hour), with its features and labels",
      baseline: "the engine alone over the same family scenarios and seeds (rows counted the same way)",
      ratio: "dataset rows per second / engine-alone rows per second (share of the engine's speed kept)",
    },
    families: families.length,
    seedsPerFamily: seeds.length,
    engine,
    baseline: { rows: engineRows, seconds: engineSeconds, rowsPerSecond: engineRows / engineSeconds },
    dataset: { rows: sample.rows, seconds: sampleSeconds, rowsPerSecond, positives: sample.positives },
    ratio: rowsPerSecond / (engineRows / engineSeconds),
    projectedSecondsFor1MRows: TARGET.rows / rowsPerSecond,
    target: {
      ...TARGET,
      measured: target ?? null,
      met: target ? target.rows >= TARGET.rows && target.seconds < TARGET.seconds : null,
    },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/dataset.json", `${formatJson(result)}\n`);
  process.stdout.write(
    `\nDataset generation (${families.length} families x ${seeds.length} seeds, ${engine.positionsPerLending} borrowers per market)\n` +
      `  engine alone      ${Math.round(result.baseline.rowsPerSecond)} protocol-steps/s (${engineRows} in ${engineSeconds.toFixed(1)} s)\n` +
      `  dataset           ${Math.round(rowsPerSecond)} labelled rows/s (${sample.rows} in ${sampleSeconds.toFixed(1)} s), ${(100 * result.ratio).toFixed(0)}% of the engine's speed\n` +
      `  1M rows, projected ${result.projectedSecondsFor1MRows.toFixed(0)} s (target < ${TARGET.seconds} s)\n` +
      (target
        ? `  measured          ${target.rows} rows in ${target.seconds.toFixed(1)} s = ${Math.round(target.rowsPerSecond)} rows/s: ${result.target.met ? "PASS" : "MISS"}\n`
        : "") +
      "  bench/results/dataset.json\n",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/dataset.ts failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
