/**
 * `npm run bench [-- --only sign,nats,negotiation,throughput,profile] [--duration 10]
 *  [--concurrency 2] [--own-nats] [--quick]`
 *
 * Runs the benchmarks in one process, in one run (baselines and the measurements they normalise
 * are always taken together: a benchmark's baselines run even when --only leaves them out),
 * prints progress on stderr and a summary table on stdout, and writes bench/results/latest.json
 * plus a timestamped copy in bench/results/history/. See bench/README.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BenchNats, benchNats, machineInfo, progress } from "./env.ts";
import { benchNatsRtt, type NatsRttResult } from "./nats-rtt.ts";
import { benchNegotiation, type NegotiationResult } from "./negotiation.ts";
import { benchProfile, type ProfileResult } from "./profile.ts";
import { benchSign, type SignResult } from "./sign.ts";
import { formatJson, rounded } from "./stats.ts";
import { benchThroughput, type ThroughputResult } from "./throughput.ts";

const NAMES = [
  "sign",
  "nats",
  "negotiation",
  "throughput",
  "profile",
  "sims",
  "models",
  "dataset",
  "risk",
  "agents",
] as const;
type Name = (typeof NAMES)[number];
const NEEDS: Record<Name, Name[]> = {
  sign: [],
  nats: [],
  negotiation: ["sign"],
  throughput: ["sign"],
  profile: [],
  sims: [],
  models: [],
  dataset: [],
  risk: [],
  agents: [],
};

const TARGETS = {
  overheadRatioMax: 1.5,
  throughputShareOfBoundMin: 0.5,
};

export const DEFINITIONS = {
  rounds:
    "round trips = one-way messages of a negotiation / 2, counting both directions and the RFQ " +
    "(rfq, 6 offers, accept, confirm = 9 messages = 4.5 round trips with the bench strategies). A raw " +
    "round trip and a message plus its answer both cross the NATS server twice.",
  rawRoundTrip:
    "p50 of NATS request/reply between two connections on loopback, echoing a payload the size of an average " +
    "negotiation message (~700 B); in benchmark 3 sampled between the negotiations (two after each)",
  signingCost:
    "(messages + 2) x (sign + recover) of one 32-byte digest with core/signer (libsecp256k1): every " +
    "message signed once and recovered once, plus the two agreement signatures, each signed and recovered " +
    "once; in benchmark 3 timed as one block after each negotiation (median), in benchmark 4 from benchmark 1's medians",
  overheadRatio:
    "negotiation time p50 (sendRfq until both sessions report `agreed`) / (round trips x raw RTT p50 + signing cost)",
  throughput:
    "negotiations concluded (both sides agreed) per second of a fixed window, 100 agents in one process",
  bound:
    "1 / ((messages + 2) x (sign + recover)): concluded negotiations per second if the one core node runs on did " +
    "nothing but sign and recover; single-threaded, since every agent's JS and libsecp256k1 call run on the main thread",
};

type Results = {
  sign?: SignResult;
  nats?: NatsRttResult;
  negotiation?: NegotiationResult;
  throughput?: ThroughputResult;
  profile?: Omit<ProfileResult, "profiles">;
};

type Row = { what: string; value: string; target?: string; status?: "PASS" | "MISS" };

function usage(): never {
  process.stderr.write(
    [
      "usage: npm run bench -- [--only a,b] [--duration s] [--concurrency n] [--per-agent] [--own-nats] [--quick]",
      `  --only         any of ${NAMES.join(", ")} (default: all); baselines a benchmark needs run too`,
      "  --duration     throughput window in seconds (default 10)",
      "  --concurrency  negotiations each borrower keeps in flight (default 2)",
      "  --per-agent    throughput headline with one NATS connection per agent instead of the",
      "                 100 agents sharing the process's connection (createSharedNatsConnection)",
      "  --own-nats     start a private nats-server instead of NATS_URL / 127.0.0.1:4222",
      "  --quick        fewer samples and shorter windows (a smoke test, not a measurement)",
      "",
    ].join("\n"),
  );
  process.exit(2);
}

function parse() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      duration: { type: "string" },
      concurrency: { type: "string" },
      "own-nats": { type: "boolean", default: false },
      "per-agent": { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) usage();
  const requested = values.only ? values.only.split(",").map((s) => s.trim()) : [...NAMES];
  for (const r of requested) if (!NAMES.includes(r as Name)) usage();
  const selected = new Set<Name>();
  const add = (n: Name) => {
    for (const d of NEEDS[n]) add(d);
    selected.add(n);
  };
  for (const r of requested as Name[]) add(r);
  const quick = values.quick ?? false;
  const duration = values.duration ? Number(values.duration) : quick ? 3 : 10;
  const concurrency = values.concurrency ? Number(values.concurrency) : undefined;
  if (!(duration > 0) || (concurrency !== undefined && !(concurrency >= 1))) usage();
  return {
    requested,
    selected,
    durationMs: duration * 1000,
    concurrency,
    ownNats: values["own-nats"] ?? false,
    perAgent: values["per-agent"] ?? false,
    quick,
  };
}

/** The raw round trips carry a payload the size of an average negotiation message. */
function payloadBytes(sign: SignResult): number {
  const b = sign.messageBytes;
  return Math.round((b.rfq + 6 * b.offer + b.accept + b.confirm) / 9);
}

const us = (x: number) => `${x.toFixed(1)} us`;
const ms = (x: number) => `${x.toFixed(3)} ms`;

function summaryRows(r: Results): Row[] {
  const rows: Row[] = [];
  if (r.sign) {
    const o = (k: string) => r.sign!.ops[k]!;
    const both = (k: string) => `${us(o(k).median)} (MAD ${o(k).mad.toFixed(1)})`;
    rows.push({ what: "sign, libsecp256k1 (core/signer)", value: both("secp256k1.sign") });
    rows.push({ what: "recover, libsecp256k1 (core/signer)", value: both("secp256k1.recover") });
    rows.push({ what: "sign, viem JS", value: both("viem.sign") });
    rows.push({ what: "recover, viem JS", value: both("viem.recover") });
    rows.push({
      what: "viem / libsecp256k1 (sign + recover)",
      value: `${r.sign.derived.viemSlowdown.toFixed(1)}x`,
    });
    rows.push({ what: "hashAgreement (core/agreement)", value: both("eip712.hashAgreement") });
    for (const k of ["offer", "accept"]) {
      rows.push({ what: `encodeMessage(${k})`, value: both(`wire.encode.${k}`) });
      rows.push({ what: `decodeMessage(${k})`, value: both(`wire.decode.${k}`) });
    }
  }
  if (r.nats) {
    const s = r.nats.requestReply;
    rows.push({
      what: `NATS request/reply RTT, ${r.nats.payloadBytes} B, p50 / p99`,
      value: `${ms(s.p50)} / ${ms(s.p99)}`,
    });
    rows.push({
      what: "NATS pub/sub ping-pong RTT, p50 / p99",
      value: `${ms(r.nats.pubSubPingPong.p50)} / ${ms(r.nats.pubSubPingPong.p99)}`,
    });
    rows.push({
      what: "in-process bus ping-pong RTT, p50 / p99",
      value: `${ms(r.nats.inProcessPingPong.p50)} / ${ms(r.nats.inProcessPingPong.p99)}`,
    });
  }
  if (r.negotiation) {
    for (const f of [r.negotiation.nats, r.negotiation.inProcess]) {
      const label = f.transport === "nats" ? "NATS" : "in-process";
      rows.push({
        what: `negotiation (${label}), p50 / p99`,
        value: `${ms(f.timeMs.p50)} / ${ms(f.timeMs.p99)}  [${f.messages} msgs = ${f.roundTrips} RT]`,
      });
      rows.push({
        what: `  raw RTT between negotiations, p50 / p99`,
        value: `${ms(f.rawRttMs.p50)} / ${ms(f.rawRttMs.p99)}`,
      });
      rows.push({
        what: `  ideal: ${f.roundTrips} RT x ${f.rawRttMs.p50.toFixed(3)} + signing ${f.signingCostMs.toFixed(3)}`,
        value: ms(f.idealMs),
      });
      const ok = f.overheadRatio <= TARGETS.overheadRatioMax;
      rows.push({
        what: `  overhead ratio (${label}) at p50`,
        value: `${f.overheadRatio.toFixed(2)} (p99: ${f.overheadRatioP99.toFixed(2)}${
          f.overheadRatioPingPong === undefined
            ? ""
            : `; vs ping-pong RTT: ${f.overheadRatioPingPong.toFixed(2)}`
        })`,
        ...(f.transport === "nats"
          ? { target: `<= ${TARGETS.overheadRatioMax}`, status: ok ? ("PASS" as const) : ("MISS" as const) }
          : {}),
      });
      if (f.overheadRatioExPreemption !== undefined && f.timeExPreemptionMs) {
        rows.push({
          what: "  same without main-thread preemption: p50 / ratio",
          value: `${ms(f.timeExPreemptionMs.p50)} / ${f.overheadRatioExPreemption.toFixed(2)}`,
        });
      }
      const mt = f.mainThreadPerNegotiation;
      rows.push({
        what: "  main thread per negotiation: on CPU / waiting for a CPU",
        value: mt ? `${ms(mt.onCpuMs)} / ${ms(mt.waitMs)}` : "n/a",
      });
    }
    rows.push({ what: "session machines alone (xstate), p50", value: us(r.negotiation.machinesOnlyUs.p50) });
    rows.push({ what: "wire + agreement CPU model per negotiation", value: ms(r.negotiation.protocolCpuMs) });
  }
  if (r.throughput) {
    const t = r.throughput;
    rows.push({
      what: "bound: 1 / signing cost per negotiation",
      value: `${t.boundPerSecond.toFixed(0)} /s (${t.signingCostPerNegotiationMs.toFixed(3)} ms each)`,
    });
    for (const run of t.runs) {
      const head = run === t.runs[0];
      const status = (share: number) =>
        share >= TARGETS.throughputShareOfBoundMin ? ("PASS" as const) : ("MISS" as const);
      const target = `>= ${TARGETS.throughputShareOfBoundMin * 100} %`;
      rows.push({
        what: `throughput, ${run.mode} (${run.agents} agents, ${run.connections} conns)`,
        value: `${run.perSecond.toFixed(1)} /s  [latency p50 ${run.latencyMs.p50.toFixed(0)} ms, p99 ${run.latencyMs.p99.toFixed(0)} ms, failed ${run.failed}]`,
      });
      const share = run.perSecond / t.boundPerSecond;
      rows.push({
        what: "  share of bound (wall clock)",
        value: `${(share * 100).toFixed(1)} %`,
        ...(head ? { target, status: status(share) } : {}),
      });
      if (run.perMainThreadCpuSecond !== undefined && run.mainThread) {
        const cpuShare = run.perMainThreadCpuSecond / t.boundPerSecond;
        rows.push({
          what: "  per main-thread CPU second / share of bound",
          value: `${run.perMainThreadCpuSecond.toFixed(1)} /s / ${(cpuShare * 100).toFixed(1)} %  [main thread on CPU ${((run.mainThread.onCpuMs / run.windowMs) * 100).toFixed(0)} % of the window, waiting for a CPU ${((run.mainThread.waitMs / run.windowMs) * 100).toFixed(0)} %]`,
          ...(head ? { target, status: status(cpuShare) } : {}),
        });
      }
      rows.push({ what: "  CPU per negotiation (process)", value: ms(run.cpuMsPerNegotiation) });
    }
  }
  if (r.profile) {
    for (const [label, split] of [
      ["one negotiation at a time", r.profile.sequential],
      ["throughput window", r.profile.throughput],
    ] as const) {
      rows.push({ what: `profile, ${label}: self time by module`, value: "share, us per negotiation" });
      for (const m of split.byModule.slice(0, 10)) {
        rows.push({
          what: `  ${m.module}`,
          value: `${(m.share * 100).toFixed(1).padStart(5)} %  ${m.usPerNegotiation.toFixed(0).padStart(5)}`,
        });
      }
    }
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r.what.length));
  const w1 = Math.max(...rows.map((r) => r.value.length));
  const lines = rows.map((r) =>
    `${r.what.padEnd(w0)}  ${r.value.padEnd(w1)}  ${r.target ? `${r.target.padEnd(8)} ${r.status}` : ""}`.trimEnd(),
  );
  process.stdout.write(`\n${lines.join("\n")}\n`);
}

async function main(): Promise<void> {
  const opts = parse();
  const startedAt = new Date();
  const machine = machineInfo();
  progress(
    `${machine.cpus} x ${machine.cpuModel}, node ${machine.node}, load ${machine.loadavg.join(" ")}; running ${[...opts.selected].join(", ")}`,
  );
  const results: Results = {};
  let rawProfiles: ProfileResult["profiles"] | undefined;
  const needsNats = ["nats", "negotiation", "throughput", "profile"].some((n) =>
    opts.selected.has(n as Name),
  );
  let nats: BenchNats | undefined;
  try {
    if (needsNats) {
      nats = await benchNats({ own: opts.ownNats });
      progress(`NATS ${nats.serverVersion ?? "?"} at ${nats.url} (${nats.source})`);
    }
    if (opts.selected.has("sign")) results.sign = await benchSign();
    if (opts.selected.has("nats")) {
      results.nats = await benchNatsRtt({
        url: nats!.url,
        payloadBytes: results.sign ? payloadBytes(results.sign) : 1024,
        samples: opts.quick ? 500 : 3000,
      });
    }
    if (opts.selected.has("negotiation")) {
      results.negotiation = await benchNegotiation({
        url: nats!.url,
        sign: results.sign!,
        payloadBytes: payloadBytes(results.sign!),
        negotiations: opts.quick ? 100 : 500,
      });
    }
    if (opts.selected.has("throughput")) {
      results.throughput = await benchThroughput({
        url: nats!.url,
        sign: results.sign!,
        durationMs: opts.durationMs,
        ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
        headline: opts.perAgent ? "nats-per-agent" : "nats-shared",
      });
    }
    if (opts.selected.has("profile")) {
      const { profiles, ...rest } = await benchProfile({
        url: nats!.url,
        negotiations: opts.quick ? 100 : 300,
        durationMs: opts.quick ? 2000 : 4000,
      });
      results.profile = rest;
      rawProfiles = profiles;
    }
    if (opts.selected.has("sims")) {
      // Its own process (clean peak-memory figures), table and JSON (bench/results/sim-engine.json).
      const args = ["--import", "tsx", "bench/sim-engine.ts", ...(opts.quick ? ["--quick"] : [])];
      if (spawnSync(process.execPath, args, { stdio: "inherit" }).status !== 0)
        throw new Error("bench/sim-engine.ts failed");
    }
    if (opts.selected.has("models")) {
      // Its own process and JSON (bench/results/models.json): tfjs vs the fast path per decision.
      const args = ["--import", "tsx", "bench/models.ts", ...(opts.quick ? ["--quick"] : [])];
      if (spawnSync(process.execPath, args, { stdio: "inherit" }).status !== 0)
        throw new Error("bench/models.ts failed");
      // The valuation model's lending decision, the same comparison (bench/results/valuation.json).
      const valuation = ["--import", "tsx", "bench/valuation.ts", ...(opts.quick ? ["--quick"] : [])];
      if (spawnSync(process.execPath, valuation, { stdio: "inherit" }).status !== 0)
        throw new Error("bench/valuation.ts failed");
    }
    if (opts.selected.has("dataset")) {
      // Its own process and JSON (bench/results/dataset.json): labelled rows/s beside the engine alone.
      const args = ["--import", "tsx", "bench/dataset.ts", ...(opts.quick ? ["--quick"] : [])];
      if (spawnSync(process.execPath, args, { stdio: "inherit" }).status !== 0)
        throw new Error("bench/dataset.ts failed");
    }
    if (opts.selected.has("risk")) {
      // Its own process and JSON (bench/results/risk-loop.json): one risk-loop decision at a time.
      const args = ["--import", "tsx", "bench/risk-loop.ts", ...(opts.quick ? ["--quick"] : [])];
      if (spawnSync(process.execPath, args, { stdio: "inherit" }).status !== 0)
        throw new Error("bench/risk-loop.ts failed");
    }
    if (opts.selected.has("agents")) {
      // Its own process and JSON (bench/results/agents-policy.json): a study with the real agents
      // beside the same study with the built-in policy.
      const args = ["--import", "tsx", "bench/agents-policy.ts", ...(opts.quick ? ["--quick"] : [])];
      if (spawnSync(process.execPath, args, { stdio: "inherit" }).status !== 0)
        throw new Error("bench/agents-policy.ts failed");
    }
  } finally {
    await nats?.stop();
  }

  const finishedAt = new Date();
  const rows = summaryRows(results);
  const out = rounded({
    schema: "liquidity-negotiation/bench/v1",
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    machine: { ...machine, loadavgAtEnd: machineInfo().loadavg },
    options: {
      requested: opts.requested,
      ran: [...opts.selected],
      throughputWindowMs: opts.durationMs,
      concurrencyPerBorrower: opts.concurrency ?? 2,
      throughputHeadline: opts.perAgent ? "nats-per-agent" : "nats-shared",
      quick: opts.quick,
      nats: nats ? { url: nats.url, source: nats.source, serverVersion: nats.serverVersion } : undefined,
    },
    definitions: DEFINITIONS,
    targets: TARGETS,
    results,
    summary: rows,
  });
  const dir = join("bench", "results");
  const history = join(dir, "history");
  mkdirSync(history, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const json = formatJson(out);
  writeFileSync(join(dir, "latest.json"), json);
  writeFileSync(join(history, `${stamp}.json`), json);
  if (rawProfiles) {
    for (const [name, profile] of Object.entries(rawProfiles)) {
      writeFileSync(join(history, `${stamp}-${name}.cpuprofile`), JSON.stringify(profile));
    }
  }
  printTable(rows);
  progress(
    `done in ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)} s; wrote ${join(dir, "latest.json")} and ${join(history, `${stamp}.json`)}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
