/**
 * A contagion study fanned out over NATS JetStream: the coordinator announces the study in a KV
 * bucket, publishes one job per (sweep value, mode, seed) to a work-queue stream of the study's
 * own, collects one result per job from the same stream, and summarises them with the
 * Monte Carlo code (recordOf, summarizeRecords). The return value is what runMonteCarlo /
 * runContagionStudy return for the same inputs, equal record for record (tested), plus which
 * worker ran what.
 *
 * Workers (./run-worker.ts, `npm run sim:worker`) may start before or after the coordinator;
 * jobs wait in the stream. At the end, or on failure, the study is marked done (the workers'
 * signal to stop) and its stream deleted.
 */
import { randomUUID } from "node:crypto";
import {
  AckPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, nanos } from "@nats-io/transport-node";
import { createLogger, type Logger } from "../../core/log.ts";
import { defaultEngineOptions, type EngineOptions } from "../engine/engine-options.ts";
import { MODES, type Mode } from "../engine/engine-policy.ts";
import { DEFAULT_SCENARIO, type RunContagionStudyReturnType } from "../engine/run-contagion-study.ts";
import type { RunResult } from "../engine/run-engine.ts";
import {
  type RunMonteCarloParameters,
  type RunMonteCarloReturnType,
  type RunRecord,
  recordOf,
  summarizeRecords,
} from "../monte-carlo/run-monte-carlo.ts";
import { writeReport } from "../report/write-report.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import type { PricePathMode, Scenario } from "../scenarios/scenario-schema.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../scenarios/with-price-paths.ts";
import { JobFailedError, StudyAbortedError, StudyStalledError } from "./errors.ts";
import {
  COORDINATOR_CONSUMER,
  jobMsgId,
  jobsSubject,
  resultsFilter,
  STUDIES_BUCKET,
  streamName,
  WORKERS_CONSUMER,
} from "./names.ts";
import { scenarioToJson } from "./scenario-to-json.ts";
import { decodeMessage, encodeMessage, JobMessage, Outcome, StudyMessage, WIRE_VERSION } from "./schemas.ts";

export type DistributionParameters = {
  servers: string | string[];
  /** Default: a fresh random id. Names the stream (SIMS_<id>) and subjects (sims.<id>.*). */
  studyId?: string | undefined;
  /** Publish the jobs only once this many workers are pulling (so the first jobs spread out);
   *  after `workersTimeoutMs` (default 30 s) publish anyway. */
  workersExpected?: number | undefined;
  workersTimeoutMs?: number | undefined;
  /** Fail when no result arrives for this long. Default 10 minutes. */
  idleTimeoutMs?: number | undefined;
  /** How long a worker may hold a job before the server gives it to another. Default 2 minutes. */
  ackWaitMs?: number | undefined;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
};

export type Distribution = {
  studyId: string;
  /** Jobs each worker ran (by worker name). */
  jobsByWorker: Record<string, number>;
  /** Results that arrived twice (a job redelivered after its result was published) and were dropped. */
  duplicates: number;
  /** Messages on the results subjects that failed validation and were dropped. */
  invalid: number;
};

export type RunDistributedMonteCarloParameters = Omit<RunMonteCarloParameters, "policy" | "policyFor"> &
  DistributionParameters;

export type RunDistributedMonteCarloReturnType = RunMonteCarloReturnType & { distribution: Distribution };

/** runMonteCarlo over NATS: same records, summaries and kept results. */
export async function runDistributedMonteCarlo(
  p: RunDistributedMonteCarloParameters,
): Promise<RunDistributedMonteCarloReturnType> {
  const log = (p.log ?? createLogger()).child({ component: "sims-coordinator" });
  const studyId = p.studyId ?? randomUUID().replaceAll("-", "").slice(0, 16);
  const sweepValues = p.sweep ? [...p.sweep.values] : [undefined];
  const jobs: JobMessage[] = [];
  for (const value of sweepValues)
    for (const mode of p.modes)
      for (const seed of p.seeds)
        jobs.push({
          v: WIRE_VERSION,
          kind: "sims.job",
          studyId,
          index: jobs.length,
          mode,
          seed,
          sweep: value ?? null,
        });
  const total = jobs.length;
  const keepSeed = p.keepSeed ?? p.seeds[0];
  const servers = [p.servers].flat().join(",");

  const nc = await connect({ servers: p.servers, name: `sims-coordinator-${studyId}` });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const kv = await new Kvm(nc).create(STUDIES_BUCKET, { history: 1, ttl: 24 * 3600 * 1000 });
  const stream = streamName(studyId);
  try {
    await jsm.streams.add({
      name: stream,
      subjects: [jobsSubject(studyId), resultsFilter(studyId)],
      retention: RetentionPolicy.Workqueue,
      duplicate_window: nanos(10 * 60 * 1000),
    });
    await jsm.consumers.add(stream, {
      durable_name: WORKERS_CONSUMER,
      filter_subject: jobsSubject(studyId),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(p.ackWaitMs ?? 120_000),
      max_deliver: -1,
    });
    await jsm.consumers.add(stream, {
      durable_name: COORDINATOR_CONSUMER,
      filter_subject: resultsFilter(studyId),
      ack_policy: AckPolicy.Explicit,
    });
    const study: StudyMessage = {
      v: WIRE_VERSION,
      kind: "sims.study",
      studyId,
      status: "open",
      scenario: scenarioToJson(p.scenario),
      engine: { ...p.options },
      sweepOption: p.sweep?.option ?? null,
      jobs: total,
      createdAt: new Date().toISOString(),
    };
    await kv.put(studyId, encodeMessage(StudyMessage, study));
    log.info("study announced", { studyId, jobs: total });

    if (p.workersExpected) await waitForWorkers(jsm, stream, p.workersExpected, p.workersTimeoutMs, log);
    await publishJobs(js, jobs);

    const collected = await collect({ ...p, js, stream, studyId, jobs, servers, log });
    const records: RunRecord[] = [];
    const kept: RunResult[] = [];
    for (const job of jobs) {
      const result = collected.results[job.index]!;
      records.push(recordOf(job.mode, job.sweep ?? undefined, result));
      if (job.seed === keepSeed && (job.sweep ?? undefined) === sweepValues[0]) kept.push(result);
    }
    return {
      records,
      summaries: summarizeRecords(records),
      kept,
      // Workers settle on their own in-process ledgers (sims/worker/run-job.ts) and send back results only.
      settlement: { backend: "ledger", total: undefined, byMode: [] },
      distribution: {
        studyId,
        jobsByWorker: collected.jobsByWorker,
        duplicates: collected.duplicates,
        invalid: collected.invalid,
      },
    };
  } finally {
    // The done signal, then the stream: workers stop pulling, nothing is left behind.
    const done = await kv.get(studyId).catch(() => null);
    if (done?.operation === "PUT") {
      const parsed = decodeMessage(StudyMessage, done.value);
      if (parsed.ok) await kv.put(studyId, encodeMessage(StudyMessage, { ...parsed.value, status: "done" }));
    }
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  }
}

async function waitForWorkers(
  jsm: JetStreamManager,
  stream: string,
  n: number,
  timeoutMs = 30_000,
  log: Logger,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const info = await jsm.consumers.info(stream, WORKERS_CONSUMER);
    if (info.num_waiting >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  log.warn("fewer workers than expected; publishing anyway", { expected: n });
}

async function publishJobs(js: JetStreamClient, jobs: readonly JobMessage[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 256) {
    await Promise.all(
      jobs.slice(i, i + 256).map((job) =>
        js.publish(jobsSubject(job.studyId), encodeMessage(JobMessage, job), {
          msgID: jobMsgId(job.studyId, job.index),
        }),
      ),
    );
  }
}

type CollectParameters = DistributionParameters &
  Pick<RunMonteCarloParameters, "onRun"> & {
    js: JetStreamClient;
    stream: string;
    studyId: string;
    jobs: readonly JobMessage[];
    servers: string;
    log: Logger;
  };

async function collect(p: CollectParameters) {
  const total = p.jobs.length;
  const results: (RunResult | undefined)[] = new Array(total);
  const jobsByWorker: Record<string, number> = {};
  let received = 0;
  let duplicates = 0;
  let invalid = 0;
  let failure: JobFailedError | undefined;
  let stop: "idle" | "aborted" | undefined;
  const idleMs = p.idleTimeoutMs ?? 10 * 60 * 1000;

  const consumer = await p.js.consumers.get(p.stream, COORDINATOR_CONSUMER);
  const messages = await consumer.consume({ max_messages: 64 });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stop = "idle";
      void messages.close();
    }, idleMs);
  };
  const onAbort = () => {
    stop = "aborted";
    void messages.close();
  };
  if (p.signal?.aborted) onAbort();
  p.signal?.addEventListener("abort", onAbort);
  arm();
  try {
    for await (const m of messages) {
      arm();
      const outcome = decodeMessage(Outcome, m.data);
      const job = outcome.ok ? p.jobs[outcome.value.index] : undefined;
      if (!outcome.ok || outcome.value.studyId !== p.studyId || !job) {
        invalid++;
        p.log.error("dropped an invalid result", {
          subject: m.subject,
          error: outcome.ok ? `unknown job ${outcome.value.studyId}/${outcome.value.index}` : outcome.error,
        });
        m.term();
        continue;
      }
      const o = outcome.value;
      if (o.kind === "sims.failure") {
        failure = new JobFailedError({
          studyId: p.studyId,
          index: o.index,
          worker: o.worker,
          error: o.error,
        });
        m.ack();
        break;
      }
      if (results[o.index] !== undefined) {
        duplicates++;
        m.ack();
        continue;
      }
      results[o.index] = o.result;
      jobsByWorker[o.worker] = (jobsByWorker[o.worker] ?? 0) + 1;
      received++;
      m.ack();
      p.onRun?.({ done: received, total, mode: job.mode, seed: job.seed, result: o.result });
      if (received === total) break;
    }
  } finally {
    clearTimeout(timer);
    p.signal?.removeEventListener("abort", onAbort);
  }
  if (failure) throw failure;
  if (received < total) {
    if (stop === "aborted") throw new StudyAbortedError({ studyId: p.studyId, received, total });
    throw new StudyStalledError({ studyId: p.studyId, received, total, idleMs, servers: p.servers });
  }
  return { results: results as RunResult[], jobsByWorker, duplicates, invalid };
}

// ---------------------------------------------------------------------------------------------
// The study: runContagionStudy's inputs and output, over NATS
// ---------------------------------------------------------------------------------------------

export type RunDistributedStudyParameters = DistributionParameters & {
  /** A library scenario name, a path to a scenario file, or a scenario. Default: the demo. */
  scenario?: string | Scenario | undefined;
  /** How many seeds (1..n), or the exact seeds. Default 20. */
  seeds?: number | readonly number[] | undefined;
  modes?: readonly Mode[] | undefined;
  /** Write report.html, results.json, runs.csv and summary.csv here. */
  outDir?: string | undefined;
  engine?: Partial<EngineOptions> | undefined;
  sweep?: RunMonteCarloParameters["sweep"];
  onRun?: RunMonteCarloParameters["onRun"];
  /** As runContagionStudy's: how market prices move across seeds (default bootstrap). */
  paths?: PricePathMode | undefined;
};

export type RunDistributedStudyReturnType = RunContagionStudyReturnType & { distribution: Distribution };

/** runContagionStudy with the runs done by workers over NATS. */
export async function runDistributedStudy(
  p: RunDistributedStudyParameters,
): Promise<RunDistributedStudyReturnType> {
  // Same defaults and study record as runContagionStudy (sims/engine/run-contagion-study.ts).
  const loaded = typeof p.scenario === "object" ? p.scenario : loadScenario(p.scenario ?? DEFAULT_SCENARIO);
  const scenario = withPricePaths({ scenario: loaded, paths: p.paths ?? STUDY_PRICE_PATHS });
  const seeds =
    typeof p.seeds === "object" ? [...p.seeds] : Array.from({ length: p.seeds ?? 20 }, (_, i) => i + 1);
  const modes = [...(p.modes ?? MODES)];
  const started = performance.now();
  const { scenario: _s, seeds: _n, modes: _m, outDir, engine, paths: _p, ...distribution } = p;
  const mc = await runDistributedMonteCarlo({ ...distribution, scenario, seeds, modes, options: engine });
  const study: RunContagionStudyReturnType["study"] = {
    scenario: {
      name: scenario.name,
      title: scenario.title,
      notes: scenario.notes,
      pricePaths: scenario.market?.paths,
    },
    seeds,
    modes,
    engineOptions: { ...defaultEngineOptions, ...engine },
    sweep: p.sweep,
    runs: mc.records.length,
    records: mc.records,
    summaries: mc.summaries,
    kept: mc.kept,
    settlement: mc.settlement,
    createdAt: new Date().toISOString(),
    durationMs: performance.now() - started,
  };
  const files = outDir ? await writeReport({ study, outDir }) : undefined;
  return { study, files, distribution: mc.distribution };
}
