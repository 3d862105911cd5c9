/**
 * A local chain for simulations and tests: spawns anvil from @foundry-rs/anvil-linux-amd64 (or $ANVIL_BIN) on a free port and
 * stops it on `stop()`, on process exit and on SIGINT/SIGTERM/SIGHUP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { nonceManager } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { BaseError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";

/**
 * Private keys of anvil's first ten dev accounts (mnemonic "test test test test test test test test
 * test test test junk", path m/44'/60'/0'/0/i). Public test keys: never use them for real funds.
 * Hard-coded because deriving them costs ~400 ms; anvil.test.ts checks the derivation.
 */
export const anvilAccounts = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
] as const satisfies readonly Hex[];

export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** anvil's default chain id. */
export const ANVIL_CHAIN_ID = 31337;

export type StartAnvilParameters = {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Seconds between blocks; omitted = mine each transaction at once (automine). */
  blockTime?: number;
  chainId?: number;
  /** Number of dev accounts (default 10; anvilAccounts lists the first ten). */
  accounts?: number;
  /** EVM hardfork, e.g. "prague"; anvil's default when omitted. */
  hardfork?: string;
  /** anvil executable; default: the one installed by @foundry-rs/anvil, or $ANVIL_BIN. */
  binary?: string;
  /** Gets a debug line per anvil output line, and info lines on start and stop. */
  log?: Logger;
  /** How long to wait for anvil to answer (default 15 s). */
  startTimeoutMs?: number;
};

export type StartAnvilReturnType = {
  rpcUrl: string;
  port: number;
  chainId: number;
  /** Kills anvil (SIGTERM, SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
};

export class AnvilStartError extends BaseError {
  override name = "AnvilStartError";
  override readonly code = "AnvilStart";
  constructor(params: { reason: string; output?: string; cause?: unknown }) {
    super(`Could not start anvil: ${params.reason}.`, {
      metaMessages: [
        "anvil comes from the optional dependency @foundry-rs/anvil-linux-amd64 (Linux x64): run `npm ci`; elsewhere install Foundry and point ANVIL_BIN at its anvil.",
      ],
      details: params.output?.trim() || undefined,
      cause: params.cause,
    });
  }
}

/** The anvil executable: $ANVIL_BIN, the platform package of @foundry-rs/anvil, or node_modules/.bin. */
export function resolveAnvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN;
  const require = createRequire(import.meta.url);
  const os = process.platform;
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const exe = os === "win32" ? "anvil.exe" : "anvil";
  try {
    const path = require.resolve(`@foundry-rs/anvil-${os}-${arch}/bin/${exe}`);
    if (existsSync(path)) return path;
  } catch {
    // platform package missing: fall back to the npm shim
  }
  const shim = join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin", "anvil");
  if (existsSync(shim)) return shim;
  throw new AnvilStartError({ reason: "no anvil binary found" });
}

/** A TCP port that was free a moment ago (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address) resolve(address.port);
        else reject(new Error("could not read the bound port"));
      });
    });
  });
}

async function chainIdAt(rpcUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number(body.result) : undefined;
  } catch {
    return undefined;
  }
}

// Live anvils of this process, killed when it exits or is signalled.
const live = new Set<ChildProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = () => {
    for (const child of live) child.kill("SIGKILL");
    live.clear();
  };
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      killAll();
      // If nobody else handles the signal, keep its default meaning: terminate.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts anvil and resolves once it answers `eth_chainId`. */
/**
 * A new chain starts every dev account at nonce 0, but viem's shared nonce manager keys its counts
 * by (address, chain id), and every anvil has the same id: counts left from an earlier chain in this
 * process (an earlier test file in the same worker) would give the first transactions nonces above
 * the chain's, which anvil holds in its pool forever, and their receipts never come. Also for a
 * chain reverted to a snapshot: the nonce manager never goes backwards, the chain just did.
 */
export function forgetDevNonces(chainId: number): void {
  for (const key of anvilAccounts) nonceManager.reset({ address: privateKeyToAddress(key), chainId });
}

export async function startAnvil(params: StartAnvilParameters = {}): Promise<StartAnvilReturnType> {
  const binary = params.binary ?? resolveAnvilBinary();
  const chainId = params.chainId ?? ANVIL_CHAIN_ID;
  // A free port can be taken between probing and binding: retry with a new one (only if we chose it).
  const attempts = params.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = params.port ?? (await freePort());
    try {
      const started = await spawnAnvil({ ...params, binary, chainId, port });
      forgetDevNonces(chainId);
      return started;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function spawnAnvil(
  params: StartAnvilParameters & { binary: string; chainId: number; port: number },
): Promise<StartAnvilReturnType> {
  const { binary, chainId, port, log } = params;
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId)];
  args.push("--accounts", String(params.accounts ?? 10));
  if (params.blockTime !== undefined) args.push("--block-time", String(params.blockTime));
  if (params.hardfork) args.push("--hardfork", params.hardfork);

  let child: ChildProcess;
  try {
    child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (cause) {
    throw new AnvilStartError({ reason: `cannot run ${binary}`, cause });
  }
  // Always drain both pipes (anvil logs every transaction; a full pipe would block it) and keep the
  // tail for error messages.
  let output = "";
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output = (output + text).slice(-8000);
    if (log) for (const line of text.split("\n")) if (line.trim()) log.debug("anvil", { port, line });
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  let exited = false;
  let spawnError: unknown;
  child.once("exit", () => {
    exited = true;
    live.delete(child);
  });
  child.once("error", (error) => {
    spawnError = error;
    exited = true;
  });
  live.add(child);
  installExitHooks();

  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (params.startTimeoutMs ?? 15_000);
  for (;;) {
    if (exited) {
      live.delete(child);
      throw new AnvilStartError({
        reason: `anvil exited at start (port ${port})`,
        output,
        cause: spawnError,
      });
    }
    const answered = await chainIdAt(rpcUrl);
    if (answered === chainId) break;
    if (Date.now() > deadline) {
      await killAndWait(child);
      live.delete(child);
      throw new AnvilStartError({ reason: `no answer on ${rpcUrl} in time`, output });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  log?.info("anvil started", { rpcUrl, chainId, pid: child.pid });

  return {
    rpcUrl,
    port,
    chainId,
    stop: async () => {
      await killAndWait(child);
      live.delete(child);
      log?.info("anvil stopped", { rpcUrl });
    },
  };
}
