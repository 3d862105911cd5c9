/**
 * The benchmark's surroundings: progress lines (stderr, so stdout stays the summary), machine
 * info for the results file, and the NATS server to measure against.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, freemem, loadavg, arch as osArch, platform as osPlatform, release, totalmem } from "node:os";
import { join } from "node:path";
import { type NatsServer, natsInfo, resolveNats, startNatsServer } from "../test/harness/nats.ts";

const t0 = performance.now();

/** One progress line on stderr, with seconds since start. */
export function progress(line: string): void {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
}

function version(pkg: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join("node_modules", pkg, "package.json"), "utf8")) as {
      version?: string;
    };
    return json.version;
  } catch {
    return undefined;
  }
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

export type MachineInfo = ReturnType<typeof machineInfo>;

export function machineInfo() {
  const c = cpus();
  const dirty = git(["status", "--porcelain", "--", "core", "negotiation", "agents", "bench"]);
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? "unknown",
    cpuMHz: c[0]?.speed,
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    freeMemMiB: Math.round(freemem() / 2 ** 20),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    platform: osPlatform(),
    arch: osArch(),
    kernel: release(),
    node: process.version,
    v8: process.versions.v8,
    packages: Object.fromEntries(
      ["secp256k1", "viem", "zod", "xstate", "@nats-io/transport-node", "@nats-io/nats-core", "tsx"].map(
        (p) => [p, version(p)],
      ),
    ),
    git: {
      commit: git(["rev-parse", "--short", "HEAD"]),
      /** Files of the measured modules that differ from the commit (others work concurrently). */
      modifiedFiles: dirty ? dirty.split("\n").length : 0,
    },
  };
}

export type BenchNats = {
  url: string;
  source: "NATS_URL" | "local" | "spawned";
  serverVersion: string | undefined;
  stop(): Promise<void>;
};

/** NATS_URL, else 127.0.0.1:4222, else a private nats-server (test/harness/nats.ts); `own` forces
 *  a private server, which keeps other clients of a shared server out of the measurement. */
export async function benchNats(params: { own: boolean }): Promise<BenchNats> {
  let url: string;
  let server: NatsServer | undefined;
  let source: BenchNats["source"];
  if (params.own) {
    server = await startNatsServer({ jetstream: false });
    url = server.url;
    source = "spawned";
  } else {
    ({ url, server } = await resolveNats());
    source = server ? "spawned" : process.env.NATS_URL ? "NATS_URL" : "local";
  }
  const info = await natsInfo(url);
  return {
    url,
    source,
    serverVersion: typeof info?.version === "string" ? info.version : undefined,
    stop: async () => {
      await server?.stop();
    },
  };
}

export type SchedStat = { onCpuMs: number; waitMs: number };

/**
 * The main thread's scheduler counters (Linux /proc/self/schedstat: time on a CPU, and time
 * runnable but waiting for one). The wait is CPU taken by other processes on this shared
 * machine; undefined where the file does not exist.
 */
export function mainThreadSched(): SchedStat | undefined {
  try {
    const [run, wait] = readFileSync("/proc/self/schedstat", "utf8").trim().split(/\s+/).map(Number);
    if (run === undefined || wait === undefined || Number.isNaN(run) || Number.isNaN(wait)) return undefined;
    return { onCpuMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return undefined;
  }
}

export function schedDelta(from: SchedStat | undefined, to: SchedStat | undefined): SchedStat | undefined {
  if (!from || !to) return undefined;
  return { onCpuMs: to.onCpuMs - from.onCpuMs, waitMs: to.waitMs - from.waitMs };
}
