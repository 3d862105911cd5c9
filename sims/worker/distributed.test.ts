import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { useIsolatedNats } from "../../test/harness/nats.ts";
import type { Mode } from "../engine/engine-policy.ts";
import { DEFAULT_SCENARIO, runContagionStudy } from "../engine/run-contagion-study.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../scenarios/with-price-paths.ts";
import { JobFailedError } from "./errors.ts";
import { jobsSubject, resultMsgId, resultsSubject, streamName, WORKERS_CONSUMER } from "./names.ts";
import { runDistributedStudy } from "./run-distributed-study.ts";
import { runJob } from "./run-job.ts";
import { runWorker } from "./run-worker.ts";
import { decodeMessage, encodeMessage, JobMessage, ResultMessage, StudyMessage } from "./schemas.ts";

// Studies are announced in a KV bucket of a fixed name (sims_studies), which workers watch: a NATS
// server of this file's own.
const natsServer = useIsolatedNats();

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const inputs = {
  modes: ["off", "both"] as Mode[],
  seeds: [1, 2, 3],
  engine: { positionsPerLending: 40, tradersPerSide: 8 },
  sweep: { option: "depthScale" as const, values: [0.5, 1] },
};
const uniqueId = (tag: string) => `${tag}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

describe("runDistributedStudy", () => {
  it("returns what runContagionStudy returns, with the runs spread over two workers", async () => {
    const studyId = uniqueId("eq");
    const workers = ["w1", "w2"].map((name) =>
      runWorker({ servers: natsServer.url, name, study: studyId, log: silent }),
    );
    let calls = 0;
    const distributed = await runDistributedStudy({
      servers: natsServer.url,
      studyId,
      workersExpected: 2,
      ...inputs,
      onRun: ({ total }) => {
        calls++;
        expect(total).toBe(12);
      },
      log: silent,
    });
    const local = await runContagionStudy(inputs);
    const [w1, w2] = await Promise.all(workers);

    expect(distributed.study.records).toEqual(local.study.records);
    expect(distributed.study.summaries).toEqual(local.study.summaries);
    expect(distributed.study.kept).toEqual(local.study.kept);
    expect(distributed.study.runs).toBe(12);
    expect(calls).toBe(12);
    // Both workers ran jobs, and between them all of them, once.
    expect(w1!.jobs).toBeGreaterThan(0);
    expect(w2!.jobs).toBeGreaterThan(0);
    expect(w1!.jobs + w2!.jobs).toBe(12);
    expect(distributed.distribution.jobsByWorker).toEqual({ w1: w1!.jobs, w2: w2!.jobs });
    expect(distributed.distribution.duplicates).toBe(0);
  });

  it("survives a worker that dies holding a job, duplicate results and malformed messages", async () => {
    const studyId = uniqueId("re");
    const nc = await connect({ servers: natsServer.url });
    const js = jetstream(nc);
    const small = { ...inputs, sweep: undefined, seeds: [4, 5] };
    const study = runDistributedStudy({
      servers: natsServer.url,
      studyId,
      ackWaitMs: 1000,
      ...small,
      log: silent,
    });
    // Two workers take a job each and die: one mid-run (nothing published), one after publishing
    // its result but before acking. The server redelivers both jobs after ack_wait.
    const consumer = async () => {
      for (let i = 0; i < 100; i++) {
        try {
          return await js.consumers.get(streamName(studyId), WORKERS_CONSUMER);
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error("the study's stream never appeared");
    };
    const jobs = await consumer();
    const diedMidRun = await jobs.next({ expires: 5000 });
    const diedBeforeAck = await jobs.next({ expires: 5000 });
    expect(diedMidRun).not.toBeNull();
    const job = decodeMessage(JobMessage, diedBeforeAck!.data);
    if (!job.ok) throw new Error(job.error);
    // The scenario as the study sent it: with the study's price paths (bootstrap by default).
    const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: STUDY_PRICE_PATHS });
    const result = await runJob({ scenario, engine: small.engine, sweepOption: null, job: job.value });
    const message = encodeMessage(ResultMessage, {
      v: 1,
      kind: "sims.result",
      studyId,
      index: job.value.index,
      worker: "crashed",
      durationMs: 1,
      result,
    });
    const subject = resultsSubject(studyId, job.value.index);
    await js.publish(subject, message, { msgID: resultMsgId(studyId, job.value.index) });
    // The same result again, as if published outside the server's duplicate window.
    await js.publish(subject, message);
    // Garbage on both subjects: dropped with a log line, not fatal.
    await js.publish(resultsSubject(studyId, 0), new TextEncoder().encode('{"v":1,"kind":"sims.result"}'));
    await js.publish(jobsSubject(studyId), new TextEncoder().encode('{"v":2}'));

    const worker = runWorker({ servers: natsServer.url, name: "w3", study: studyId, log: silent });
    const distributed = await study;
    const w3 = await worker;
    await nc.close();
    const local = await runContagionStudy(small);

    expect(distributed.study.records).toEqual(local.study.records);
    expect(distributed.study.summaries).toEqual(local.study.summaries);
    expect(distributed.distribution.duplicates).toBe(1);
    expect(distributed.distribution.invalid).toBe(1);
    expect(distributed.distribution.jobsByWorker).toEqual({ crashed: 1, w3: 3 });
    expect(w3.failed).toBe(1); // the malformed job
    // 2 fresh jobs and the one redelivered from the worker that died mid-run (the other
    // redelivery, if it comes before the study ends, is skipped or deduplicated).
    expect(w3.jobs).toBeGreaterThanOrEqual(3);
  });

  it("fails the study with the engine's error when a job cannot run", async () => {
    const studyId = uniqueId("fail");
    const worker = runWorker({ servers: natsServer.url, name: "w4", study: studyId, log: silent });
    await expect(
      runDistributedStudy({
        servers: natsServer.url,
        studyId,
        modes: ["off"],
        seeds: [1],
        // Valid on the wire, impossible for the engine (a fractional number of borrowers).
        sweep: { option: "positionsPerLending", values: [1.5] },
        log: silent,
      }),
    ).rejects.toBeInstanceOf(JobFailedError);
    expect((await worker).failed).toBe(1);
  });
});

describe("worker", () => {
  it("with --once exits when no open study has a job waiting", async () => {
    const r = await runWorker({
      servers: natsServer.url,
      name: "idle",
      once: true,
      study: uniqueId("none"),
      log: silent,
    });
    expect(r.jobs).toBe(0);
    expect(r.studies).toEqual([]);
  });

  it("rejects a study message of another version", () => {
    const bad = new TextEncoder().encode(JSON.stringify({ v: 2, kind: "sims.study" }));
    const parsed = decodeMessage(StudyMessage, bad);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/v/);
  });
});
