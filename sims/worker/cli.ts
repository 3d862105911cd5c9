/**
 * `npm run sim:worker -- --nats <url> [--study <id>] [--once] [--name <name>]`: a sims worker
 * (see ./run-worker.ts). Run as many as there are cores to spare, on as many machines as reach
 * the NATS server; start a study with runDistributedStudy (./run-distributed-study.ts).
 */
import { parseArgs } from "node:util";
import { BaseError } from "../../core/errors.ts";
import { runCliIfMain } from "../../core/run-cli.ts";
import { UsageError } from "../engine/errors.ts";
import { runWorker } from "./run-worker.ts";

export const HELP = `Sims worker: runs contagion-study jobs from NATS JetStream.

Usage: npm run sim:worker -- [options]

Watches the study bucket (sims_studies) for open studies, pulls their jobs one at a time, runs
each, publishes the result and acks the job. Jobs a dead worker held are redelivered to another.

Options:
  --nats <url>    NATS server (default: $NATS_URL, else nats://127.0.0.1:4222)
  --study <id>    serve only this study; exit when it is done
  --once          exit as soon as no open study has a job waiting
  --name <name>   worker name in results and logs (default: host-pid-random)
  -h, --help      show this help

Ctrl-C (SIGINT) or SIGTERM: finish the job in hand, then exit. Logs go to stderr as JSON lines
(LOG_LEVEL=info shows each study served).
`;

export type WorkerCliOptions = {
  nats: string;
  study: string | undefined;
  once: boolean;
  name: string | undefined;
  help: boolean;
};

export function parseWorkerArgs(argv: readonly string[]): WorkerCliOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        nats: { type: "string" },
        study: { type: "string" },
        once: { type: "boolean" },
        name: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    return {
      nats: values.nats ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222",
      study: values.study,
      once: values.once ?? false,
      name: values.name,
      help: values.help ?? false,
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  try {
    const o = parseWorkerArgs(argv);
    if (o.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const r = await runWorker({
      servers: o.nats,
      name: o.name,
      study: o.study,
      once: o.once,
      signal: stop.signal,
    });
    process.stderr.write(
      `worker ${r.name}: ${r.jobs} jobs, ${r.redelivered} redelivered already done, ${r.failed} failed; studies ${r.studies.join(", ") || "none"}\n`,
    );
    return r.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof BaseError) {
      process.stderr.write(`\nerror: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

runCliIfMain(import.meta.url, "worker", main);
