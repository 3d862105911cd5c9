/**
 * An agent started the way an operator starts one: `operator/cli.ts --config <file>` in a process of
 * its own (node with tsx, as `npm run agent` does). Its stdout is JSON lines (the agent's log),
 * parsed as they come; tests wait for a line, signal the process and read its exit code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../operator/cli.ts", import.meta.url));

export type AgentCli = {
  readonly process: ChildProcess;
  /** Parsed log lines so far. */
  readonly lines: Array<Record<string, unknown>>;
  /** Everything written to stdout and stderr, raw. */
  output(): string;
  /** Resolves with the first line (past or future) matching `match`. */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
};

export function spawnAgentCli(params: {
  config: string;
  env?: Record<string, string>;
  args?: string[];
}): AgentCli {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLI, "--config", params.config, ...(params.args ?? [])],
    {
      env: { ...process.env, LOG_LEVEL: "", ...params.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<{
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  let raw = "";
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    raw += text;
    partial += text;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      if (!part.trim()) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(part) as Record<string, unknown>;
      } catch {
        line = { level: "text", msg: part };
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    raw += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.removeListener("exit", killOnExit));

  return {
    process: child,
    lines,
    output: () => raw,
    exited,
    waitFor(match, what, timeoutMs = 30_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output:\n${raw.slice(-4000)}`),
          );
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`agent exited (${code}) before ${what}; output:\n${raw.slice(-4000)}`));
        });
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
