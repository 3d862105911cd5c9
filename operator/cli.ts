#!/usr/bin/env node
/**
 * `npm run agent -- --config agent.json` (the package's `liq-agent` bin): one agent for one
 * protocol, from its config file (operator/agent-config.ts). Logs are JSON lines on stdout; a
 * config or key problem is printed to stderr saying what to fix, exit code 2; any other failure to
 * start, exit code 1. SIGTERM or SIGINT stops it gracefully (journal writes land, status says
 * "stopped", exit 0); a second signal exits at once.
 */
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { bytesToHex, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { BaseError } from "../core/errors.ts";
import { agentConfigJsonSchema } from "./agent-config.ts";
import { AgentConfigError, KeystoreError, MissingSecretError } from "./errors.ts";
import { createKeystore } from "./keystore.ts";
import { loadAgentConfig } from "./load-agent-config.ts";
import { createOperatorLogger } from "./operator-log.ts";
import { runAgent } from "./run-agent.ts";

const HELP = `Usage:
  npm run agent -- --config <agent.json>          run the agent (JSON-lines logs on stdout)
  npm run agent -- --config <agent.json> --check  validate the config and exit
  npm run agent -- schema [--out <file>]          the config's JSON Schema (for editors)
  npm run agent -- keystore create --out <file> --password-env <NAME> [--key-env <NAME>]
                                                  encrypt $<key-env>'s key (or a new random one)
                                                  into a Web3 Secret Storage file

The config names where secrets are (an environment variable, a keystore and its password's
variable or file, a NATS seed file); it never holds them. docs/INTEGRATING.md walks through it.`;

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
};

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  env: process.env,
};

function inputError(err: unknown): boolean {
  return err instanceof AgentConfigError || err instanceof KeystoreError || err instanceof MissingSecretError;
}

function describe(err: unknown): string {
  if (err instanceof BaseError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

async function keystoreCreate(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      "password-env": { type: "string" },
      "key-env": { type: "string" },
      "scrypt-n": { type: "string" },
    },
  });
  if (!values.out || !values["password-env"]) {
    io.stderr(`keystore create needs --out and --password-env.\n\n${HELP}`);
    return 2;
  }
  const password = io.env[values["password-env"]];
  if (!password) {
    io.stderr(`$${values["password-env"]} is empty: put the keystore's password there.`);
    return 2;
  }
  let key: Hex;
  if (values["key-env"]) {
    const k = io.env[values["key-env"]]?.trim();
    if (!k || !/^0x[0-9a-fA-F]{64}$/.test(k)) {
      io.stderr(
        `$${values["key-env"]} must hold a private key (0x and 64 hex digits); its value is not shown.`,
      );
      return 2;
    }
    key = k as Hex;
  } else key = bytesToHex(randomBytes(32));
  const json = await createKeystore({
    privateKey: key,
    password,
    ...(values["scrypt-n"] ? { scryptN: Number(values["scrypt-n"]) } : {}),
  });
  await writeFile(values.out, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  io.stdout(JSON.stringify({ keystore: resolve(values.out), address: privateKeyToAddress(key) }));
  return 0;
}

/** Runs the CLI; resolves with the exit code once the agent has stopped (or at once for others). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  if (argv[0] === "schema") {
    const { values } = parseArgs({ args: argv.slice(1), options: { out: { type: "string" } } });
    const text = `${JSON.stringify(agentConfigJsonSchema(), null, 2)}\n`;
    if (values.out) await writeFile(values.out, text);
    else io.stdout(text);
    return 0;
  }
  if (argv[0] === "keystore" && argv[1] === "create") return keystoreCreate(argv.slice(2), io);

  let values: { config?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.config) {
    io.stderr(`--config <agent.json> is required.\n\n${HELP}`);
    return 2;
  }

  let loaded: Awaited<ReturnType<typeof loadAgentConfig>>;
  try {
    loaded = await loadAgentConfig(values.config);
  } catch (err) {
    io.stderr(describe(err));
    return inputError(err) ? 2 : 1;
  }
  if (values.check) {
    io.stdout(JSON.stringify({ ok: true, config: loaded.file, name: loaded.config.name }));
    return 0;
  }

  const log = createOperatorLogger({
    level: loaded.config.log.level,
    fields: { agent: loaded.config.name },
    sink: (line) => io.stdout(line),
  });
  return new Promise<number>((done) => {
    let running: Awaited<ReturnType<typeof runAgent>> | undefined;
    let stopRequested: NodeJS.Signals | undefined;
    let signals = 0;
    const stop = (signal: NodeJS.Signals, agent: Awaited<ReturnType<typeof runAgent>>) => {
      log.info("stopping", { signal });
      const forced = setTimeout(() => {
        log.error("graceful stop took over 20 s: exiting");
        done(1);
      }, 20_000);
      forced.unref();
      agent.stop().then(
        () => {
          clearTimeout(forced);
          log.info("stopped", { signal });
          done(0);
        },
        (err: unknown) => {
          clearTimeout(forced);
          log.error("stop failed", { error: String(err) });
          done(1);
        },
      );
    };
    // Handlers first: a signal during start-up stops the agent as soon as it is up.
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        log.warn("second signal: exiting without waiting", { signal });
        done(1);
        return;
      }
      if (running) stop(signal, running);
      else stopRequested = signal;
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);

    runAgent({ loaded, env: io.env, log }).then(
      (agent) => {
        running = agent;
        if (stopRequested) stop(stopRequested, agent);
      },
      (err: unknown) => {
        const e = err instanceof BaseError ? err : undefined;
        log.error("agent failed to start", { error: e?.shortMessage ?? String(err), code: e?.code });
        io.stderr(describe(err));
        done(inputError(err) ? 2 : 1);
      },
    );
  });
}

// Run when executed (directly, through tsx, or through the package's bin symlink), not when imported.
const invoked = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${describe(err)}\n`);
      process.exit(1);
    },
  );
}
