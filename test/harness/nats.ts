/**
 * NATS for tests: find one (NATS_URL, else 127.0.0.1:4222) or start `nats-server` from PATH on a
 * free port with JetStream and a temporary store. `startNatsServer` is also for tests that must
 * kill and restart the server (its restart keeps port and store, so clients reconnect and
 * JetStream state survives). `useIsolatedNats` gives a test file a server of its own, for files
 * whose subjects or buckets would collide with another file's on the shared one.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";

export const INSTALL_HINT = [
  "The tests need a NATS server with JetStream. Either:",
  "  - install nats-server (Debian/Ubuntu: `apt-get install nats-server`; or download a release from",
  "    https://nats.io/download/ or https://github.com/nats-io/nats-server/releases) so it is on PATH, or",
  "  - run one yourself (`nats-server -js`) on 127.0.0.1:4222, or",
  "  - set NATS_URL=nats://host:port to a server you have.",
].join("\n");

export type NatsServer = {
  url: string;
  port: number;
  storeDir: string | undefined;
  /** Kills the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** stop() then start again on the same port and store. */
  restart(): Promise<void>;
};

export type StartNatsServerParameters = {
  port?: number;
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** JetStream store; a fresh temp dir (removed by stop) when omitted. */
  storeDir?: string;
  /** Executable; default `nats-server` from PATH. */
  binary?: string;
  /** A config file (`-c`); the flags for port, address and store still override it. */
  config?: string;
};

/** Parses host and port out of a NATS URL ("nats://h:p", "h:p" or "h"). */
export function parseNatsUrl(url: string): { host: string; port: number } {
  const u = new URL(url.includes("://") ? url : `nats://${url}`);
  return { host: u.hostname || "127.0.0.1", port: u.port ? Number(u.port) : 4222 };
}

/** The server's INFO greeting, or undefined when nothing NATS-like answers at `url`. */
export function natsInfo(url: string, timeoutMs = 1000): Promise<Record<string, unknown> | undefined> {
  const { host, port } = parseNatsUrl(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let buf = "";
    const done = (info: Record<string, unknown> | undefined) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once("error", () => done(undefined));
    socket.on("data", (chunk) => {
      buf += chunk.toString("utf8");
      if (!buf.startsWith("INFO ".slice(0, buf.length))) return done(undefined);
      const eol = buf.indexOf("\r\n");
      if (eol < 0) return;
      try {
        done(JSON.parse(buf.slice(5, eol)) as Record<string, unknown>);
      } catch {
        done(undefined);
      }
    });
  });
}

/** True when something at `url` greets like a NATS server. */
export async function probeNats(url: string, timeoutMs = 1000): Promise<boolean> {
  return (await natsInfo(url, timeoutMs)) !== undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export function natsServerAvailable(binary = "nats-server"): boolean {
  const r = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return r.error === undefined && r.status === 0;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
}

export async function startNatsServer(params: StartNatsServerParameters = {}): Promise<NatsServer> {
  const binary = params.binary ?? "nats-server";
  if (!natsServerAvailable(binary)) throw new Error(`\`${binary}\` is not runnable.\n${INSTALL_HINT}`);
  const port = params.port ?? (await freePort());
  const jetstream = params.jetstream ?? true;
  const ownStore = jetstream && params.storeDir === undefined;
  const storeDir = jetstream ? (params.storeDir ?? mkdtempSync(join(tmpdir(), "nats-js-"))) : undefined;
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = "";

  const start = async () => {
    const args = [...(params.config ? ["-c", params.config] : []), "-a", "127.0.0.1", "-p", String(port)];
    if (storeDir) args.push("-js", "-sd", storeDir);
    stderr = "";
    const proc = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.on("data", (c: Buffer) => {
      if (stderr.length < 20_000) stderr += c.toString("utf8");
    });
    child = proc;
    let exited = false;
    proc.once("exit", () => {
      exited = true;
    });
    try {
      await waitFor(async () => exited || (await probeNats(url, 300)), 10_000, `nats-server on ${url}`);
    } catch (err) {
      proc.kill("SIGKILL");
      throw err;
    }
    if (exited) throw new Error(`nats-server exited at start (port ${port} in use?):\n${stderr}`);
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      proc.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill("SIGTERM");
    });
  };

  await start();
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);
  return {
    url,
    port,
    storeDir,
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      process.removeListener("exit", killOnExit);
      if (ownStore && storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * Finds the NATS server for this test run: NATS_URL if set (it must answer), else 127.0.0.1:4222
 * if it runs JetStream, else a spawned nats-server. Throws with install instructions when none is possible.
 */
export async function resolveNats(
  params: { natsUrl?: string | undefined; localUrl?: string; binary?: string } = {},
): Promise<{ url: string; server: NatsServer | undefined }> {
  const fromEnv = "natsUrl" in params ? params.natsUrl : process.env.NATS_URL;
  if (fromEnv) {
    if (await probeNats(fromEnv, 3000)) return { url: fromEnv, server: undefined };
    throw new Error(`NATS_URL=${fromEnv} does not answer like a NATS server.\n${INSTALL_HINT}`);
  }
  const local = params.localUrl ?? "nats://127.0.0.1:4222";
  // A local server without JetStream would fail later tests (KV); start our own instead.
  if ((await natsInfo(local))?.jetstream === true) return { url: local, server: undefined };
  const binary = params.binary ?? "nats-server";
  if (!natsServerAvailable(binary)) {
    throw new Error(`No NATS server at ${local} and no \`${binary}\` on PATH.\n${INSTALL_HINT}`);
  }
  const server = await startNatsServer({ jetstream: true, binary });
  return { url: server.url, server };
}

/** The NATS URL resolved by the global setup, inside a test worker. */
export function natsUrl(): string {
  const url = process.env.NATS_URL ?? inject("natsUrl");
  if (!url)
    throw new Error(
      `No NATS URL: is test/harness/global-setup.ts configured as globalSetup?\n${INSTALL_HINT}`,
    );
  return url;
}

declare module "vitest" {
  export interface ProvidedContext {
    natsUrl: string;
  }
}

/** This file's NATS server, from `useIsolatedNats`. */
export type IsolatedNats = {
  /** The server's URL; read it in tests and hooks (it is known once beforeAll has run). */
  readonly url: string;
  /** False when it is the shared server (no nats-server binary, outside CI). */
  readonly isolated: boolean;
};

/** True when running in CI (CI set, and not to "false" or "0"). */
function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * A private nats-server (JetStream, free port, temporary store) for this test file, started in
 * beforeAll and stopped in afterAll; call it once at the top level of the file. Test files run in
 * parallel on one shared server otherwise, and files whose traffic is not unique to them (agents
 * on anvil's accounts, whose inboxes and RFQ subjects are the same in every file; fixed KV bucket
 * names; wildcard subscriptions) would answer each other. While the file runs, NATS_URL points at
 * the private server too, so `natsUrl()` and child processes (which inherit the environment) find
 * it as well. Starting one costs about 20 ms.
 *
 * Without a nats-server binary the file falls back to the shared server of the global setup, with
 * a warning (files may interfere then); in CI that is an error instead.
 */
export function useIsolatedNats(params: { binary?: string } = {}): IsolatedNats {
  const binary = params.binary ?? "nats-server";
  let server: NatsServer | undefined;
  let url: string | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    if (natsServerAvailable(binary)) {
      server = await startNatsServer({ jetstream: true, binary });
      url = server.url;
      const saved = process.env.NATS_URL;
      restoreEnv = () => {
        if (saved === undefined) delete process.env.NATS_URL;
        else process.env.NATS_URL = saved;
      };
      process.env.NATS_URL = url;
      return;
    }
    if (inCi()) {
      throw new Error(
        `\`${binary}\` is not runnable; CI needs it to give test files a NATS server each.\n${INSTALL_HINT}`,
      );
    }
    url = natsUrl();
    console.warn(
      `No \`${binary}\` on PATH: this file uses the shared NATS server at ${url}, where test files running in parallel may interfere (install nats-server to isolate them).`,
    );
  });
  afterAll(async () => {
    restoreEnv?.();
    restoreEnv = undefined;
    await server?.stop();
    server = undefined;
  });
  return {
    get url() {
      if (url === undefined) throw new Error("useIsolatedNats: the URL is known once beforeAll has run.");
      return url;
    },
    get isolated() {
      return server !== undefined;
    },
  };
}
