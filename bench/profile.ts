/**
 * Where the main thread's time goes, by module, under V8's sampling profiler (node:inspector,
 * in process): (a) one negotiation at a time over NATS, which explains the overhead ratio, and
 * (b) a short throughput run (100 agents, each its own NATS connection), which explains the
 * throughput. Separate from benchmarks 3 and 4, so the profiler's own cost never touches their
 * figures. Shares are of the sampled non-idle time. The profiler samples wall time, so time the
 * main thread spent preempted by other processes lands on whatever it was running; the us per
 * negotiation are therefore share x the main thread's measured on-CPU time (Linux schedstat) per
 * negotiation, not the raw sampled time.
 */
import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createNatsTransport } from "../negotiation/transport/nats.ts";
import { mainThreadSched, progress, schedDelta } from "./env.ts";
import { benchSigner, rfqFor } from "./fixtures.ts";
import { createBorrower, createLender, Tracker } from "./parties.ts";
import { runThroughput, type ThroughputRun } from "./throughput.ts";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
export type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type ProfileSplit = {
  negotiations: number;
  sampledMs: number;
  idleMs: number;
  /** Main thread on a CPU while sampling, ms (what usPerNegotiation divides up). */
  onCpuMs: number;
  /** Self time by module: share of the busy (non-idle) time, and us per concluded negotiation. */
  byModule: Array<{ module: string; share: number; usPerNegotiation: number }>;
  /** Heaviest functions by self time. */
  topFunctions: Array<{ fn: string; share: number; usPerNegotiation: number }>;
};

export type ProfileResult = {
  samplingIntervalUs: number;
  sequential: ProfileSplit;
  throughput: ProfileSplit & { run: ThroughputRun };
  profiles: { sequential: CpuProfile; throughput: CpuProfile };
};

const MODULES: Array<[RegExp, string]> = [
  [/node_modules\/secp256k1\//, "secp256k1 JS wrapper"],
  [/\/keccak\.ts$|node_modules\/hash-wasm\/|^wasm:\/\//, "keccak (WASM: hash-wasm and its wrapper)"],
  [/node_modules\/(viem|@noble|ox|abitype)\//, "viem / noble (keccak, getAddress, hex, hashTypedData)"],
  [/node_modules\/zod\//, "zod"],
  [/node_modules\/xstate\//, "xstate"],
  [/node_modules\/@nats-io\//, "NATS client (JS)"],
  [/\/core\//, "core/ other (signer, agreement, schema, eip712)"],
  [/\/negotiation\/wire\//, "negotiation/wire other (canonical JSON, encode, decode, replay)"],
  [/\/negotiation\//, "negotiation other (endpoint, host, machine, strategy, transport)"],
  [/\/bench\//, "bench harness"],
  [/^node:|^internal\//, "node internals (streams, net, timers, buffer)"],
];

function moduleOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) {
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "Secp256k1Addon") return "libsecp256k1 native (sign, recover)";
    if (functionName === "writeBuffer" || functionName === "writev" || functionName === "writeUtf8String")
      return "socket writes (syscalls)";
    if (functionName === "(garbage collector)") return "garbage collector";
    if (functionName === "(program)") return "(program: V8/native, unattributed)";
    return "other native";
  }
  for (const [re, name] of MODULES) if (re.test(url)) return name;
  return "other";
}

function shortUrl(url: string): string {
  if (!url.startsWith("file://")) return url;
  return relative(process.cwd(), fileURLToPath(url)).replace(/^node_modules\//, "");
}

/** Self time per module and function (each sample is charged the interval that follows it). */
export function summarizeProfile(
  profile: CpuProfile,
  negotiations: number,
  onCpuMs: number | undefined,
): ProfileSplit {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  }
  const modules = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const mod = moduleOf(node);
    total += ms;
    if (mod === "(idle)") {
      idle += ms;
      continue;
    }
    modules.set(mod, (modules.get(mod) ?? 0) + ms);
    const { functionName, url } = node.callFrame;
    const fn = `${functionName || "(anonymous)"} ${url ? shortUrl(url) : ""}`.trim();
    fns.set(fn, (fns.get(fn) ?? 0) + ms);
  }
  const busy = total - idle;
  const n = Math.max(1, negotiations);
  const cpu = onCpuMs ?? busy;
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, ms]) => ({ k, share: ms / busy, usPerNegotiation: ((ms / busy) * cpu * 1000) / n }));
  return {
    negotiations,
    sampledMs: total,
    idleMs: idle,
    onCpuMs: cpu,
    byModule: rows(modules).map(({ k, ...r }) => ({ module: k, ...r })),
    topFunctions: rows(fns)
      .slice(0, 25)
      .map(({ k, ...r }) => ({ fn: k, ...r })),
  };
}

const INTERVAL_US = 250;

async function profiled<T>(
  session: Session,
  body: () => Promise<T>,
): Promise<[T, CpuProfile, number | undefined]> {
  await session.post("Profiler.start");
  const sched0 = mainThreadSched();
  let stopped = false;
  try {
    const value = await body();
    const sched = schedDelta(sched0, mainThreadSched());
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    stopped = true;
    return [value, profile, sched?.onCpuMs];
  } finally {
    if (!stopped) await session.post("Profiler.stop");
  }
}

async function sequential(
  session: Session,
  url: string,
  n: number,
): Promise<[number, CpuProfile, number | undefined]> {
  const [lt, bt] = await Promise.all([
    createNatsTransport({ servers: url, name: "bench-profile-lender" }),
    createNatsTransport({ servers: url, name: "bench-profile-borrower" }),
  ]);
  const ls = benchSigner("profile-lender");
  const bs = benchSigner("profile-borrower");
  const peers = createPeerRegistry([
    { address: ls.address, name: "lender", protocol: "lending" },
    { address: bs.address, name: "borrower", protocol: "perp" },
  ]);
  const tracker = new Tracker();
  const rfq = rfqFor();
  const lender = createLender({ transport: lt, signer: ls, peers, tracker, tokens: [rfq.principalToken] });
  const borrower = createBorrower({ transport: bt, signer: bs, peers, tracker });
  try {
    await Promise.all([lender.endpoint.flush(), borrower.endpoint.flush()]);
    for (let i = 0; i < 100; i++) await borrower.negotiate(rfq);
    progress(`profile: ${n} negotiations one at a time over NATS`);
    return await profiled(session, async () => {
      let agreed = 0;
      for (let i = 0; i < n; i++) if ((await borrower.negotiate(rfq)).agreed) agreed++;
      return agreed;
    });
  } finally {
    await Promise.all([lender.close(), borrower.close()]);
    await Promise.all([lt.close(), bt.close()]);
  }
}

export async function benchProfile(p: {
  url: string;
  negotiations?: number;
  durationMs?: number;
}): Promise<ProfileResult> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: INTERVAL_US });
    const [seqAgreed, seqProfile, seqOnCpu] = await sequential(session, p.url, p.negotiations ?? 300);
    let tpProfile: CpuProfile | undefined;
    const run = await runThroughput({
      mode: "nats-per-agent",
      url: p.url,
      durationMs: p.durationMs ?? 4000,
      warmupMs: 1500,
      window: {
        open: async () => {
          progress("profile: sampling the throughput window");
          await session.post("Profiler.start");
        },
        close: async () => {
          ({ profile: tpProfile } = (await session.post("Profiler.stop")) as unknown as {
            profile: CpuProfile;
          });
        },
      },
    });
    if (!tpProfile) throw new Error("profiler returned no profile");
    return {
      samplingIntervalUs: INTERVAL_US,
      sequential: summarizeProfile(seqProfile, seqAgreed, seqOnCpu),
      throughput: { ...summarizeProfile(tpProfile, run.concluded, run.mainThread?.onCpuMs), run },
      profiles: { sequential: seqProfile, throughput: tpProfile },
    };
  } finally {
    await session.post("Profiler.disable").catch(() => {});
    session.disconnect();
  }
}
