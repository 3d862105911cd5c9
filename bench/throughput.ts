/**
 * Benchmark 4, throughput: 100 agents in this one process (50 lenders, 50 borrowers, in 50 pairs
 * with a principal token each, so each RFQ reaches exactly one lender), every borrower running a
 * fixed number of negotiations back to back (a closed loop), for a fixed window after a warm-up.
 * Counts negotiations concluded inside the window with both sides agreed.
 *
 * Bound: what the signing cost alone allows on the one core node runs all of this on (every
 * signature, recovery, hash, state machine and NATS client call of all 100 agents runs on the
 * main thread): 1 / ((messages + 2) x (sign + recover)), with the medians of benchmark 1 and the
 * median message count of the window's negotiations.
 *
 * Modes: each agent its own NATS connection (as deployed: one agent, one connection; the
 * headline), all agents sharing one connection, and the in-process bus (no network, no NATS
 * client: the CPU ceiling of everything else).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { createNatsTransport, createSharedNatsConnection } from "../negotiation/transport/nats.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import { mainThreadSched, progress, schedDelta } from "./env.ts";
import { benchSigner, pairToken, rfqFor } from "./fixtures.ts";
import {
  type Borrower,
  type Concluded,
  createBorrower,
  createLender,
  type Party,
  Tracker,
} from "./parties.ts";
import type { SignResult } from "./sign.ts";
import { median, type Summary, summarize } from "./stats.ts";

export type ThroughputMode = "nats-per-agent" | "nats-shared" | "in-process";

export type ThroughputRun = {
  mode: ThroughputMode;
  agents: number;
  connections: number;
  /** Negotiations each borrower keeps in flight. */
  concurrencyPerBorrower: number;
  windowMs: number;
  concluded: number;
  failed: number;
  /** Concluded (both sides agreed) per second of the window. */
  perSecond: number;
  /** Concluded per second the main thread was actually on a CPU (Linux schedstat; undefined
   *  elsewhere): the figure with other processes' share of this machine taken out. */
  perMainThreadCpuSecond: number | undefined;
  /** Main thread in the window: time on a CPU, and time runnable but waiting for one
   *  (taken by other processes), ms. */
  mainThread: { onCpuMs: number; waitMs: number } | undefined;
  /** One-way messages per concluded negotiation (median). */
  messages: number;
  /** sendRfq -> both agreed under load, ms. */
  latencyMs: Summary;
  /** Event-loop utilisation of the main thread in the window (1 = never idle). */
  eventLoopUtilization: number;
  /** Event-loop delay in the window, ms. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Main-thread busy time per concluded negotiation, ms. */
  busyMsPerNegotiation: number;
  /** Process CPU (all threads) per concluded negotiation, ms. */
  cpuMsPerNegotiation: number;
  /** Process CPU / wall in the window: ~1 means one core's worth (the main thread) is all it gets. */
  cpuCores: number;
  /** Inbound messages the endpoints refused (should be 0). */
  rejected: number;
};

export type ThroughputResult = {
  runs: ThroughputRun[];
  /** (messages + 2) x (sign + recover) per concluded negotiation, ms. */
  signingCostPerNegotiationMs: number;
  /** 1 / signing cost per negotiation: concluded negotiations per second one core allows. */
  boundPerSecond: number;
  /** Headline run (runs[0]; each agent its own connection unless --shared): perSecond / bound;
   *  target >= 0.5. */
  ratio: number;
  /** The same with perMainThreadCpuSecond: what the code achieves per core it actually got. */
  ratioPerCpuSecond: number | undefined;
};

export type RunThroughputParameters = {
  mode: ThroughputMode;
  url: string;
  pairs?: number;
  concurrency?: number;
  warmupMs?: number;
  durationMs?: number;
  /** Called when the measured window opens and closes (the profiler hooks in here). */
  window?: { open(): Promise<void> | void; close(): Promise<void> | void };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runThroughput(p: RunThroughputParameters): Promise<ThroughputRun> {
  const pairs = p.pairs ?? 50;
  const concurrency = p.concurrency ?? 2;
  const warmupMs = p.warmupMs ?? 2000;
  const durationMs = p.durationMs ?? 10_000;
  const agents = 2 * pairs;
  const lenderSigners = Array.from({ length: pairs }, (_, i) => benchSigner(`lender-${i}`));
  const borrowerSigners = Array.from({ length: pairs }, (_, i) => benchSigner(`borrower-${i}`));
  const peers = createPeerRegistry([
    ...lenderSigners.map((s, i) => ({
      address: s.address,
      name: `lender-${i}`,
      protocol: "lending" as const,
    })),
    ...borrowerSigners.map((s, i) => ({
      address: s.address,
      name: `borrower-${i}`,
      protocol: "perp" as const,
    })),
  ]);

  progress(`throughput (${p.mode}): connecting ${agents} agents`);
  let transports: Transport[];
  let owned: Transport[];
  if (p.mode === "nats-per-agent") {
    owned = await Promise.all(
      Array.from({ length: agents }, (_, i) =>
        createNatsTransport({ servers: p.url, name: `bench-agent-${i}` }),
      ),
    );
    transports = owned;
  } else if (p.mode === "nats-shared") {
    const shared = await createSharedNatsConnection({ servers: p.url, name: "bench-shared" });
    owned = [{ ...shared.createTransport({ name: "owner" }), close: () => shared.close() }];
    transports = Array.from({ length: agents }, (_, i) => shared.createTransport({ name: `shared-${i}` }));
  } else {
    const bus = createInProcessBus();
    owned = Array.from({ length: agents }, (_, i) => bus.createTransport({ name: `agent-${i}` }));
    transports = owned;
  }

  const tracker = new Tracker();
  const lenders: Party[] = lenderSigners.map((signer, i) =>
    createLender({ transport: transports[i]!, signer, peers, tracker, tokens: [pairToken(i)] }),
  );
  const borrowers: Borrower[] = borrowerSigners.map((signer, i) =>
    createBorrower({ transport: transports[pairs + i]!, signer, peers, tracker }),
  );
  const all = [...lenders, ...borrowers];
  try {
    await Promise.all(all.map((a) => a.endpoint.flush()));

    let running = true;
    const completions: Concluded[] = [];
    const loop = async (b: Borrower, i: number) => {
      const rfq = rfqFor(pairToken(i));
      while (running) completions.push(await b.negotiate(rfq));
    };
    progress(
      `throughput (${p.mode}): ${pairs} pairs x ${concurrency} in flight, warm-up ${warmupMs} ms, window ${durationMs} ms`,
    );
    // Staggered starts: negotiations started together would otherwise finish in waves, and the
    // count in the window would move in steps of (pairs x concurrency).
    const total = pairs * concurrency;
    const staggerMs = warmupMs / 2;
    const loops = borrowers.flatMap((b, i) =>
      Array.from({ length: concurrency }, (_, k) =>
        sleep(((k * pairs + i) / total) * staggerMs).then(() => loop(b, i)),
      ),
    );

    await sleep(warmupMs);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    const stats0 = all.reduce((n, a) => n + a.endpoint.stats().rejected, 0);
    await p.window?.open();
    loopDelay.enable();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const sched0 = mainThreadSched();
    const from = performance.now();
    await sleep(durationMs);
    const to = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const sched = schedDelta(sched0, mainThreadSched());
    const elu = performance.eventLoopUtilization(elu0);
    loopDelay.disable();
    await p.window?.close();
    running = false;

    progress(`throughput (${p.mode}): draining ${tracker.inFlight} negotiations in flight`);
    await Promise.race([Promise.all(loops), sleep(20_000)]);
    const rejected = all.reduce((n, a) => n + a.endpoint.stats().rejected, 0) - stats0;

    const inWindow = completions.filter((c) => c.finishedAt >= from && c.finishedAt < to);
    const agreed = inWindow.filter((c) => c.agreed);
    const windowMs = to - from;
    const concluded = agreed.length;
    return {
      mode: p.mode,
      agents,
      connections: p.mode === "nats-per-agent" ? agents : p.mode === "nats-shared" ? 1 : 0,
      concurrencyPerBorrower: concurrency,
      windowMs,
      concluded,
      failed: inWindow.length - concluded,
      perSecond: concluded / (windowMs / 1000),
      perMainThreadCpuSecond: sched ? concluded / (sched.onCpuMs / 1000) : undefined,
      mainThread: sched,
      messages: concluded ? median(agreed.map((c) => c.messages)) : Number.NaN,
      latencyMs: summarize(agreed.map((c) => c.finishedAt - c.startedAt)),
      eventLoopUtilization: elu.utilization,
      eventLoopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
      busyMsPerNegotiation: (elu.utilization * windowMs) / Math.max(1, concluded),
      cpuMsPerNegotiation: (cpu.user + cpu.system) / 1000 / Math.max(1, concluded),
      cpuCores: (cpu.user + cpu.system) / 1000 / windowMs,
      rejected,
    };
  } finally {
    await Promise.all(all.map((a) => a.close()));
    await Promise.all(owned.map((t) => t.close()));
  }
}

export type BenchThroughputParameters = {
  url: string;
  sign: SignResult;
  durationMs?: number;
  concurrency?: number;
  /** Also run the other NATS mode and the in-process bus (shorter windows). Default true. */
  compare?: boolean;
  /** The run the target is judged on: the 100 agents on their process's one connection
   *  (default: co-located agents as createSharedNatsConnection serves them, the way nats.js is
   *  meant to be used), or each agent its own connection (`--per-agent`). */
  headline?: "nats-per-agent" | "nats-shared";
};

export async function benchThroughput(p: BenchThroughputParameters): Promise<ThroughputResult> {
  const durationMs = p.durationMs ?? 10_000;
  const common = { url: p.url, ...(p.concurrency === undefined ? {} : { concurrency: p.concurrency }) };
  const first = p.headline ?? "nats-shared";
  const runs = [await runThroughput({ ...common, mode: first, durationMs })];
  if (p.compare ?? true) {
    const short = Math.max(2000, Math.round(durationMs / 2));
    const other = first === "nats-per-agent" ? "nats-shared" : "nats-per-agent";
    runs.push(await runThroughput({ ...common, mode: other, durationMs: short }));
    runs.push(await runThroughput({ ...common, mode: "in-process", durationMs: short }));
  }
  const headline = runs[0]!;
  const messages = Number.isNaN(headline.messages) ? 9 : headline.messages;
  const signingCostPerNegotiationMs = ((messages + 2) * p.sign.derived.signPlusRecoverUs) / 1000;
  const boundPerSecond = 1000 / signingCostPerNegotiationMs;
  return {
    runs,
    signingCostPerNegotiationMs,
    boundPerSecond,
    ratio: headline.perSecond / boundPerSecond,
    ratioPerCpuSecond:
      headline.perMainThreadCpuSecond === undefined
        ? undefined
        : headline.perMainThreadCpuSecond / boundPerSecond,
  };
}
