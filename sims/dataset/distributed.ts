/**
 * Dataset generation over a NATS JetStream work queue. The coordinator (natsJobRunner, a
 * JobRunner for generateDataset) announces the dataset in the `sims_datasets` KV bucket, creates
 * a work-queue stream of its own, publishes one job per (family, seed) and collects each job's
 * Arrow bytes from the same stream; workers (runDatasetWorker, `npm run sim:dataset -- --worker`)
 * on any machine pull jobs one at a time, run them, publish the result in chunks and only then
 * ack. A redelivered job is simply run again: runs are deterministic, the server drops repeated
 * chunks by Nats-Msg-Id and the coordinator ignores a job it already has. Every inbound message
 * is validated; an invalid one is logged and dropped. At the end the dataset is marked done (the
 * workers' signal) and its stream deleted.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  AckPolicy,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, nanos } from "@nats-io/transport-node";
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { createLogger, type Logger } from "../../core/log.ts";
import { findFamily } from "../scenarios/families/catalogue.ts";
import { ARROW_SCHEMA, runToRecordBatch } from "./arrow-batch.ts";
import { DatasetError } from "./errors.ts";
import type { DatasetEngine, JobRunner } from "./generate-dataset.ts";
import { generateRun } from "./generate-run.ts";
import {
  CHUNK_BYTES,
  DATASET_COORDINATOR,
  DATASET_WIRE_VERSION,
  DATASET_WORKERS,
  DATASETS_BUCKET,
  DatasetAnnouncement,
  DatasetJobMessage,
  datasetJobsSubject,
  datasetResultSubject,
  datasetResultsFilter,
  datasetStream,
  decodeChunk,
  decodeJson,
  encodeChunk,
  encodeJson,
} from "./wire.ts";

export type NatsJobRunnerParameters = {
  servers: string;
  /** Workers to run in this process as well (they pull from the same queue as remote ones). */
  localWorkers?: number | undefined;
  datasetId?: string | undefined;
  /** Fail when no result arrives for this long. Default 10 minutes. */
  idleTimeoutMs?: number | undefined;
  log?: Logger | undefined;
  /** Filled as results arrive: jobs per worker name. */
  jobsByWorker?: Record<string, number> | undefined;
};

const kvOptions = { history: 1, ttl: 24 * 3600 * 1000 };

export function natsJobRunner(p: NatsJobRunnerParameters): JobRunner {
  return async ({ jobs, engine, onBatch }) => {
    const log = (p.log ?? createLogger()).child({ component: "dataset-coordinator" });
    const id = p.datasetId ?? randomUUID().replaceAll("-", "").slice(0, 16);
    const nc = await connect({ servers: p.servers.split(","), name: `dataset-coordinator-${id}` });
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const kv = await new Kvm(nc).create(DATASETS_BUCKET, kvOptions);
    const stream = datasetStream(id);
    const announcement: DatasetAnnouncement = {
      v: DATASET_WIRE_VERSION,
      kind: "sims.dataset",
      datasetId: id,
      status: "open",
      engine,
      jobs: jobs.length,
    };
    const controller = new AbortController();
    const workers: Promise<unknown>[] = [];
    try {
      await jsm.streams.add({
        name: stream,
        subjects: [datasetJobsSubject(id), datasetResultsFilter(id)],
        retention: RetentionPolicy.Workqueue,
        duplicate_window: nanos(10 * 60 * 1000),
      });
      await jsm.consumers.add(stream, {
        durable_name: DATASET_WORKERS,
        filter_subject: datasetJobsSubject(id),
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(120_000),
        max_deliver: -1,
      });
      await jsm.consumers.add(stream, {
        durable_name: DATASET_COORDINATOR,
        filter_subject: datasetResultsFilter(id),
        ack_policy: AckPolicy.Explicit,
      });
      await kv.put(id, encodeJson(announcement));
      for (const job of jobs)
        await js.publish(
          datasetJobsSubject(id),
          encodeJson({ v: DATASET_WIRE_VERSION, kind: "sims.dataset.job", datasetId: id, ...job }),
          { msgID: `${id}-job-${job.index}` },
        );
      log.info("dataset announced", { datasetId: id, jobs: jobs.length });
      for (let w = 0; w < (p.localWorkers ?? 0); w++)
        workers.push(
          runDatasetWorker({
            servers: p.servers,
            datasetId: id,
            name: `local-${w}`,
            signal: controller.signal,
            log,
          }),
        );
      await collect({
        js,
        stream,
        id,
        total: jobs.length,
        onBatch,
        log,
        idleMs: p.idleTimeoutMs,
        jobsByWorker: p.jobsByWorker,
      });
    } finally {
      await kv.put(id, encodeJson({ ...announcement, status: "done" })).catch(() => {});
      controller.abort();
      await Promise.allSettled(workers);
      await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
    }
  };
}

async function collect(p: {
  js: JetStreamClient;
  stream: string;
  id: string;
  total: number;
  onBatch: (index: number, batch: RecordBatch) => void;
  log: Logger;
  idleMs?: number | undefined;
  jobsByWorker?: Record<string, number> | undefined;
}): Promise<void> {
  const consumer = await p.js.consumers.get(p.stream, DATASET_COORDINATOR);
  const messages = await consumer.consume({ max_messages: 64 });
  const parts = new Map<number, (Uint8Array | undefined)[]>();
  const complete = new Set<number>();
  let failure: DatasetError | undefined;
  let timer: NodeJS.Timeout | undefined;
  let idle = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        idle = true;
        void messages.close();
      },
      p.idleMs ?? 10 * 60 * 1000,
    );
  };
  arm();
  try {
    for await (const m of messages) {
      arm();
      m.ack();
      const decoded = decodeChunk(m.data);
      if (!decoded.ok || decoded.value.header.datasetId !== p.id || decoded.value.header.index >= p.total) {
        p.log.error("dropped an invalid result chunk", {
          subject: m.subject,
          error: decoded.ok ? "not a job of this dataset" : decoded.error,
        });
        continue;
      }
      const { header, bytes } = decoded.value;
      if (header.kind === "sims.dataset.failure") {
        failure = new DatasetError({
          problem: `job ${header.index} failed on worker ${header.worker}: ${header.error}`,
        });
        break;
      }
      if (complete.has(header.index) || header.chunk >= header.chunks) continue;
      let got = parts.get(header.index);
      if (!got || got.length !== header.chunks) {
        got = new Array(header.chunks).fill(undefined);
        parts.set(header.index, got);
      }
      got[header.chunk] = bytes.slice();
      if (got.some((x) => x === undefined)) continue;
      parts.delete(header.index);
      const batch = decodeBatch(got as Uint8Array[]);
      if (!batch.ok) {
        p.log.error("dropped a result that is not a dataset batch", {
          index: header.index,
          error: batch.error,
        });
        continue;
      }
      complete.add(header.index);
      if (p.jobsByWorker) p.jobsByWorker[header.worker] = (p.jobsByWorker[header.worker] ?? 0) + 1;
      p.onBatch(header.index, batch.value);
      if (complete.size === p.total) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (failure) throw failure;
  if (complete.size < p.total)
    throw new DatasetError({
      problem: `${idle ? "no result for too long" : "result stream ended"}: ${complete.size} of ${p.total} jobs done; is a worker running? (npm run sim:dataset -- --worker --nats <url>)`,
    });
}

function decodeBatch(chunks: Uint8Array[]): { ok: true; value: RecordBatch } | { ok: false; error: string } {
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  try {
    const table = tableFromIPC(bytes);
    const names = table.schema.fields.map((f) => `${f.name}:${f.type}`).join(",");
    const expected = ARROW_SCHEMA.fields.map((f) => `${f.name}:${f.type}`).join(",");
    if (names !== expected) return { ok: false, error: "its columns differ from the dataset schema" };
    if (table.batches.length !== 1)
      return { ok: false, error: `expected one record batch, got ${table.batches.length}` };
    return { ok: true, value: table.batches[0]! };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export type RunDatasetWorkerParameters = {
  servers: string;
  /** Serve this dataset only; default: any open dataset in the bucket. */
  datasetId?: string | undefined;
  name?: string | undefined;
  /** Exit when no open dataset has work. */
  once?: boolean | undefined;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
};

/** A worker: serves open datasets until stopped (or, with `once` or a datasetId, until done). */
export async function runDatasetWorker(p: RunDatasetWorkerParameters): Promise<{ jobs: number }> {
  const name = p.name ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const log = (p.log ?? createLogger()).child({ component: "dataset-worker", worker: name });
  const nc = await connect({ servers: p.servers.split(","), name: `dataset-worker-${name}` });
  const js = jetstream(nc);
  const kv = await new Kvm(nc).create(DATASETS_BUCKET, kvOptions);
  let jobs = 0;
  const stopped = () => p.signal?.aborted === true;
  const openDataset = async (): Promise<DatasetAnnouncement | undefined> => {
    const keys: string[] = [];
    for await (const k of await kv.keys(p.datasetId ?? ">")) keys.push(k);
    for (const k of keys) {
      const e = await kv.get(k);
      if (e?.operation !== "PUT") continue;
      const a = decodeJson(DatasetAnnouncement, e.value);
      if (!a.ok) log.error("dropped an invalid dataset announcement", { key: k, error: a.error });
      else if (a.value.status === "open") return a.value;
    }
    return undefined;
  };
  // A dataset not announced yet is not done (a worker may start before its coordinator).
  const isDone = async (id: string) => {
    const e = await kv.get(id).catch(() => null);
    if (!e) return false;
    if (e.operation !== "PUT") return true;
    const a = decodeJson(DatasetAnnouncement, e.value);
    return !a.ok || a.value.status === "done";
  };
  try {
    while (!stopped()) {
      const dataset = await openDataset();
      if (!dataset) {
        if (p.once || (p.datasetId && (await isDone(p.datasetId)))) break;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      const id = dataset.datasetId;
      let consumer: Awaited<ReturnType<typeof js.consumers.get>>;
      try {
        consumer = await js.consumers.get(datasetStream(id), DATASET_WORKERS);
      } catch {
        if (p.datasetId || p.once) break;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      while (!stopped()) {
        const m = await consumer.next({ expires: 1000 }).catch(() => null);
        if (!m) {
          if (await isDone(id)) break;
          if (p.once) break;
          continue;
        }
        const job = decodeJson(DatasetJobMessage, m.data);
        if (!job.ok || job.value.datasetId !== id) {
          log.error("dropped an invalid job", { error: job.ok ? "job of another dataset" : job.error });
          m.term();
          continue;
        }
        await runOne(js, id, job.value, dataset.engine, name, log);
        await m.ackAck().catch(() => {});
        jobs++;
      }
      if (p.datasetId || p.once) break;
    }
  } finally {
    await nc.close();
  }
  return { jobs };
}

async function runOne(
  js: JetStreamClient,
  id: string,
  job: DatasetJobMessage,
  engine: DatasetEngine,
  worker: string,
  log: Logger,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    const run = await generateRun({ family: findFamily(job.family), seed: job.seed, engine });
    bytes = tableToIPC(new Table([runToRecordBatch(run)]), "stream");
  } catch (error) {
    log.error("job failed", { index: job.index, error: (error as Error).message });
    const header = {
      v: DATASET_WIRE_VERSION,
      kind: "sims.dataset.failure" as const,
      datasetId: id,
      index: job.index,
      worker,
      error: (error as Error).message.slice(0, 10_000),
    };
    await js.publish(datasetResultSubject(id, job.index, 0), encodeChunk(header), {
      msgID: `${id}-failure-${job.index}`,
    });
    return;
  }
  const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
  for (let k = 0; k < chunks; k++) {
    const header = {
      v: DATASET_WIRE_VERSION,
      kind: "sims.dataset.chunk" as const,
      datasetId: id,
      index: job.index,
      chunk: k,
      chunks,
      worker,
    };
    await js.publish(
      datasetResultSubject(id, job.index, k),
      encodeChunk(header, bytes.subarray(k * CHUNK_BYTES, (k + 1) * CHUNK_BYTES)),
      { msgID: `${id}-result-${job.index}-${k}` },
    );
  }
}
