#!/usr/bin/env node
/**
 * `npm run dashboard`: the live dashboard at http://127.0.0.1:8080 (the package's `liq-dashboard`
 * bin). Follows NATS (and the arbiter on chain, given --rpc and --arbiter), or replays a recording.
 *
 *   npm run dashboard -- --rpc http://127.0.0.1:8545 --arbiter 0x9fE4…   (the demo chain)
 *   npm run dashboard -- --replay dashboard/recordings/demo-study.jsonl --speed 4
 */
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { nkeyAuthenticator } from "@nats-io/transport-node";
import { getAddress, isAddress } from "viem";
import { createLogger } from "../core/log.ts";
import { startDashboard } from "./server.ts";

const HELP = `Usage: npm run dashboard -- [options]

  --port <n>            HTTP port (default 8080; 0 picks a free one)
  --host <addr>         listen address (default 127.0.0.1)
  --nats <url>          NATS server (default $NATS_URL, else nats://127.0.0.1:4222)
  --nats-seed-file <f>  the dashboard's NKey seed (npm run nats:setup writes generated/dashboard.nk)
  --nats-ca <file>      CA of a NATS server that requires TLS
  --rpc <url>           JSON-RPC of the arbiter's chain (loans, alerts, risk level; signatures checked)
  --arbiter <addr>      the LiquidityArbiter's address
  --chain-id <n>        with --arbiter and no --rpc: check signatures in that domain, follow no chain
  --trace               put every wire message's id into the patches (bench/dashboard-latency.ts)
  --record <file>       append every input to this file (JSON lines), to replay later
  --replay <file>       play a recording instead of following NATS and the chain
  --speed <x>           replay speed (default 1)
  -h, --help`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      nats: { type: "string" },
      "nats-seed-file": { type: "string" },
      "nats-ca": { type: "string" },
      rpc: { type: "string" },
      arbiter: { type: "string" },
      "chain-id": { type: "string" },
      trace: { type: "boolean" },
      record: { type: "string" },
      replay: { type: "string" },
      speed: { type: "string", default: "1" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const arbiterOnly =
    values.arbiter !== undefined && values["chain-id"] !== undefined && values.rpc === undefined;
  if (
    (!arbiterOnly && (values.rpc === undefined) !== (values.arbiter === undefined)) ||
    (values.arbiter && !isAddress(values.arbiter))
  ) {
    process.stderr.write(`--rpc and --arbiter go together (--arbiter a 0x address).\n\n${HELP}\n`);
    return 2;
  }
  const log = createLogger({ level: "info", sink: (l) => process.stdout.write(`${l}\n`) });
  const servers = values.nats ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const seed = values["nats-seed-file"];
  const dashboard = await startDashboard({
    port: Number(values.port),
    host: values.host,
    log,
    ...(values.replay
      ? { replay: { file: values.replay, speed: Number(values.speed) } }
      : {
          nats: {
            servers,
            connectOptions: {
              ...(seed
                ? {
                    authenticator: nkeyAuthenticator(
                      new TextEncoder().encode(readFileSync(seed, "utf8").trim()),
                    ),
                  }
                : {}),
              ...(values["nats-ca"] ? { tls: { caFile: values["nats-ca"] } } : {}),
            },
          },
          ...(values.rpc && values.arbiter
            ? { chain: { rpcUrl: values.rpc, arbiter: getAddress(values.arbiter) } }
            : {}),
          ...(arbiterOnly && values.arbiter
            ? {
                domain: {
                  chainId: Number(values["chain-id"]),
                  verifyingContract: getAddress(values.arbiter),
                },
              }
            : {}),
        }),
    ...(values.record ? { record: values.record } : {}),
    ...(values.trace ? { trace: true } : {}),
  });
  process.stderr.write(`dashboard: ${dashboard.url}\n`);
  await new Promise<void>((resolve) => {
    for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => resolve());
  });
  await dashboard.stop();
  return 0;
}

const invoked = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : "";
if (import.meta.url === invoked) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
