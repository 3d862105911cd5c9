/**
 * A sims worker: watches the studies bucket, and for each open study pulls jobs from its stream
 * one at a time, runs each (runJob), publishes the result and only then acks the job. A job the
 * server redelivers (its worker died, or was too slow to ack) is idempotent by its index: a result
 * already published is not run again, a second result of the same job is dropped by the server
 * (Nats-Msg-Id) and by the coordinator. A job that fails validation is terminated (never
 * redelivered) and logged; a job the engine throws on is reported to the coordinator as a failure.
 *
 * Stops when `signal` aborts (after the job in hand), when the study it was started for is done
 * (`study`), or, with `once`, as soon as no open study has a job waiting.
 */
import { hostname } from "node:os";
import {
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, type Logger } from "../../core/log.ts";
import type { EngineOptions } from "../engine/engine-options.ts";
import { parseScenario } from "../scenarios/load-scenario.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { resultMsgId, resultsSubject, STUDIES_BUCKET, streamName, WORKERS_CONSUMER } from "./names.ts";
import { runJob } from "./run-job.ts";
import {
  decodeMessage,
  encodeMessage,
  FailureMessage,
  JobMessage,
  ResultMessage,
  StudyMessage,
  WIRE_VERSION,
} from "./schemas.ts";

export type RunWorkerParameters = {
  servers: string | string[];
  /** Shown in results and logs. Default: host-pid-random. */
  name?: string | undefined;
  /** Serve only this study and exit when it is done. */
  study?: string | undefined;
  /** Exit as soon as no open study has a job waiting. */
  once?: boolean | undefined;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
  /** How long one pull waits for a job (>= 1000); also how soon a done study is noticed. */
  pullExpiresMs?: number | undefined;
};

export type RunWorkerReturnType = {
  name: string;
  /** Jobs run and reported. */
  jobs: number;
  /** Redelivered jobs whose result was already published (acked without running again). */
  redelivered: number;
  /** Jobs dropped: invalid messages, or the engine threw. */
  failed: number;
  studies: string[];
};

type StudyState = { message: StudyMessage; done: boolean };

export async function runWorker(p: RunWorkerParameters): Promise<RunWorkerReturnType> {
  const name = p.name ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const log = (p.log ?? createLogger()).child({ component: "sims-worker", worker: name });
  const stats: RunWorkerReturnType = { name, jobs: 0, redelivered: 0, failed: 0, studies: [] };
  const nc = await connect({ servers: p.servers, name: `sims-worker-${name}` });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const kv = await new Kvm(nc).create(STUDIES_BUCKET, { history: 1, ttl: 24 * 3600 * 1000 });
  const studies = new Map<string, StudyState>();
  let wake: () => void = () => {};
  const stopped = () => p.signal?.aborted === true;
  const onAbort = () => wake();
  p.signal?.addEventListener("abort", onAbort);

  const watcher = p.once ? undefined : await watchStudies(kv, p.study, studies, () => wake(), log);
  if (p.once) await readStudies(kv, p.study, studies, log);
  try {
    const served = new Set<string>();
    while (!stopped()) {
      const next = [...studies.values()].find((s) => !s.done && !served.has(s.message.studyId));
      if (!next) {
        if (p.once || (p.study && studies.get(p.study)?.done)) break;
        await new Promise<void>((r) => {
          wake = r;
        });
        continue;
      }
      const id = next.message.studyId;
      if (!stats.studies.includes(id)) stats.studies.push(id);
      const outcome = await serveStudy({ ...p, name, nc, js, jsm, state: next, stats, stopped, log });
      // Drained (--once) or unusable: do not come back to it. Done: it is marked done already.
      if (outcome !== "stopped") served.add(id);
      if (p.study && id === p.study && outcome === "done") break;
    }
  } finally {
    p.signal?.removeEventListener("abort", onAbort);
    watcher?.stop();
    await nc.close();
  }
  return stats;
}

/** Keeps `studies` in step with the bucket; a deleted or "done" study is done. */
async function watchStudies(
  kv: KV,
  only: string | undefined,
  studies: Map<string, StudyState>,
  changed: () => void,
  log: Logger,
) {
  const it = await kv.watch({ key: only ?? ">" });
  void (async () => {
    for await (const e of it) {
      apply(studies, e.key, e.operation === "PUT" ? e.value : undefined, log);
      changed();
    }
  })().catch((error: unknown) => log.error("study watch failed", { error: String(error) }));
  return it;
}

async function readStudies(kv: KV, only: string | undefined, studies: Map<string, StudyState>, log: Logger) {
  const keys: string[] = [];
  for await (const k of await kv.keys(only ?? ">")) keys.push(k);
  for (const k of keys) {
    const e = await kv.get(k);
    if (e) apply(studies, k, e.operation === "PUT" ? e.value : undefined, log);
  }
}

function apply(studies: Map<string, StudyState>, key: string, value: Uint8Array | undefined, log: Logger) {
  const known = studies.get(key);
  if (!value) {
    if (known) known.done = true;
    return;
  }
  const parsed = decodeMessage(StudyMessage, value);
  if (!parsed.ok) {
    log.error("dropped an invalid study", { key, error: parsed.error });
    return;
  }
  if (known) {
    known.message = parsed.value;
    known.done ||= parsed.value.status === "done";
  } else studies.set(key, { message: parsed.value, done: parsed.value.status === "done" });
}

type ServeParameters = RunWorkerParameters & {
  name: string;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  state: StudyState;
  stats: RunWorkerReturnType;
  stopped: () => boolean;
  log: Logger;
};

/** "done": the study ended; "drained": no job waiting (once); "stopped": asked to stop;
 *  "unusable": its scenario or stream is not there or not valid. */
async function serveStudy(p: ServeParameters): Promise<"done" | "drained" | "stopped" | "unusable"> {
  const study = p.state.message;
  const log = p.log.child({ studyId: study.studyId });
  let scenario: Scenario;
  try {
    scenario = parseScenario(study.scenario, `study ${study.studyId}`);
  } catch (error) {
    log.error("study has an invalid scenario; skipping it", { error: (error as Error).message });
    return "unusable";
  }
  let consumer: Consumer;
  try {
    consumer = await p.js.consumers.get(streamName(study.studyId), WORKERS_CONSUMER);
  } catch (error) {
    if (p.state.done) return "done";
    log.warn("study has no job queue; skipping it", { error: (error as Error).message });
    return "unusable";
  }
  log.info("serving study", { jobs: study.jobs });
  const expires = Math.max(1000, p.pullExpiresMs ?? 1000);
  while (true) {
    if (p.stopped()) return "stopped";
    if (p.state.done) return "done";
    let m: JsMsg | null;
    try {
      m = await consumer.next({ expires });
    } catch (error) {
      // The coordinator deletes the stream when the study ends.
      if (p.state.done) return "done";
      const exists = await p.jsm.streams.info(streamName(study.studyId)).then(
        () => true,
        () => false,
      );
      if (!exists) return "done";
      log.warn("pull failed; retrying", { error: (error as Error).message });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    if (!m) {
      if (p.once) return "drained";
      continue;
    }
    await handleJob({ ...p, scenario, engine: study.engine, msg: m, log });
  }
}

async function handleJob(
  p: ServeParameters & { scenario: Scenario; engine: Partial<EngineOptions>; msg: JsMsg },
): Promise<void> {
  const { msg, state, log } = p;
  const study = state.message;
  const job = decodeMessage(JobMessage, msg.data);
  if (!job.ok || job.value.studyId !== study.studyId) {
    p.stats.failed++;
    log.error("dropped an invalid job", {
      error: job.ok ? `job of study ${job.value.studyId} on this study's queue` : job.error,
    });
    msg.term();
    return;
  }
  const { index } = job.value;
  const subject = resultsSubject(study.studyId, index);
  if (msg.redelivered) {
    // Its result may be out already (the worker died between publishing and acking).
    const stored = await p.jsm.streams
      .getMessage(streamName(study.studyId), { last_by_subj: subject })
      .catch(() => null);
    if (stored) {
      p.stats.redelivered++;
      await msg.ackAck();
      return;
    }
  }
  const started = performance.now();
  let payload: Uint8Array;
  try {
    const result = await runJob({
      scenario: p.scenario,
      engine: p.engine,
      sweepOption: study.sweepOption,
      job: job.value,
    });
    payload = encodeMessage(ResultMessage, {
      v: WIRE_VERSION,
      kind: "sims.result",
      studyId: study.studyId,
      index,
      worker: p.name,
      durationMs: performance.now() - started,
      result,
    });
    p.stats.jobs++;
  } catch (error) {
    p.stats.failed++;
    log.error("job failed", { index, error: (error as Error).message });
    payload = encodeMessage(FailureMessage, {
      v: WIRE_VERSION,
      kind: "sims.failure",
      studyId: study.studyId,
      index,
      worker: p.name,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  try {
    await p.js.publish(subject, payload, { msgID: resultMsgId(study.studyId, index) });
    await msg.ackAck();
  } catch (error) {
    // Unacked, the job comes back (here or elsewhere) unless the study has ended meanwhile (its
    // stream is deleted once every result is in; a redelivered job may still be in hand then).
    if (!state.done)
      log.warn("could not report a job; it will be redelivered", { index, error: String(error) });
  }
}
