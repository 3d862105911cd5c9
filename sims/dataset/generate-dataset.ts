/**
 * `npm run sim:dataset`'s work: one engine run per (family, seed), each turned into labelled rows
 * and written as one Arrow record batch, in job order (the file is the same however the jobs were
 * spread). Jobs run in this process by default, or on workers pulling from a NATS JetStream work
 * queue (./distributed.ts) when `nats` is given.
 */
import { closeSync, writeFileSync } from "node:fs";
import type { RecordBatch } from "apache-arrow";
import { findFamily } from "../scenarios/families/catalogue.ts";
import { runToRecordBatch, schemaDocument } from "./arrow-batch.ts";
import { openArrowFile } from "./arrow-file-writer.ts";
import { HORIZONS_HOURS } from "./columns.ts";
import type { DatasetOptions } from "./dataset-options.ts";
import { generateRun } from "./generate-run.ts";
import { claimOutputFiles } from "./output-files.ts";

export type DatasetJob = { index: number; family: string; seed: number };

export type DatasetEngine = { positionsPerLending: number; tradersPerSide: number };

/** Runs jobs somewhere and hands back each job's batch (in any order). */
export type JobRunner = (p: {
  jobs: readonly DatasetJob[];
  engine: DatasetEngine;
  onBatch: (index: number, batch: RecordBatch) => void;
}) => Promise<void>;

export type DatasetProgress = {
  done: number;
  total: number;
  rows: number;
  elapsedMs: number;
  last: DatasetJob;
};

export type DatasetSummary = {
  files: { data: string; schema: string };
  runs: number;
  rows: number;
  families: number;
  /** Rows with event_<h>h = 1, by horizon. */
  positives: Record<string, number>;
  durationMs: number;
  rowsPerSecond: number;
};

export const datasetJobs = (o: Pick<DatasetOptions, "families" | "seeds">): DatasetJob[] =>
  o.families
    .flatMap((family) => o.seeds.map((seed) => ({ family, seed })))
    .map((j, index) => ({ index, ...j }));

/** Runs jobs one after another in this process. */
export const runJobsLocally: JobRunner = async ({ jobs, engine, onBatch }) => {
  for (const job of jobs) {
    const run = await generateRun({ family: findFamily(job.family), seed: job.seed, engine });
    onBatch(job.index, runToRecordBatch(run));
  }
};

export type GenerateDatasetParameters = {
  options: DatasetOptions;
  runJobs?: JobRunner | undefined;
  onProgress?: ((p: DatasetProgress) => void) | undefined;
};

export async function generateDataset(p: GenerateDatasetParameters): Promise<DatasetSummary> {
  const o = p.options;
  const started = performance.now();
  // Claimed before any work: an existing file or unwritable folder fails now.
  const files = claimOutputFiles(o.out);
  const jobs = datasetJobs(o);
  const engine = { positionsPerLending: o.positionsPerLending, tradersPerSide: o.tradersPerSide };
  const sink = openArrowFile(files.dataFd);
  const positives: Record<string, number> = Object.fromEntries(HORIZONS_HOURS.map((h) => [`${h}h`, 0]));
  let rows = 0;
  let done = 0;
  // Batches are written in job order; early arrivals wait here.
  const waiting = new Map<number, RecordBatch>();
  let next = 0;
  const onBatch = (index: number, batch: RecordBatch) => {
    if (index < next || waiting.has(index)) return;
    waiting.set(index, batch);
    while (waiting.has(next)) {
      const b = waiting.get(next)!;
      waiting.delete(next);
      sink.write(b);
      rows += b.numRows;
      for (const h of HORIZONS_HOURS) {
        const col = b.getChild(`event_${h}h`)!;
        let count = 0;
        for (const data of col.data) for (const v of data.values as Int8Array) count += v;
        positives[`${h}h`] = positives[`${h}h`]! + count;
      }
      done++;
      p.onProgress?.({
        done,
        total: jobs.length,
        rows,
        elapsedMs: performance.now() - started,
        last: jobs[next]!,
      });
      next++;
    }
  };
  try {
    await (p.runJobs ?? runJobsLocally)({ jobs, engine, onBatch });
  } finally {
    await sink.close();
  }
  const durationMs = performance.now() - started;
  const summary: DatasetSummary = {
    files: { data: files.data, schema: files.schema },
    runs: done,
    rows,
    families: new Set(o.families).size,
    positives,
    durationMs,
    rowsPerSecond: rows / (durationMs / 1000),
  };
  writeFileSync(
    files.schemaFd,
    `${JSON.stringify(
      schemaDocument({
        generated: {
          families: o.families,
          seeds: o.seeds,
          engine,
          runs: summary.runs,
          rows: summary.rows,
          positives,
          command: "npm run sim:dataset",
        },
      }),
      null,
      2,
    )}\n`,
  );
  closeSync(files.schemaFd);
  return summary;
}
