/**
 * `npm run sim:dataset`: the training dataset for contagion models (see HELP).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { BaseError } from "../../core/errors.ts";
import { runCliIfMain } from "../../core/run-cli.ts";
import { joinNegativeValues, parseSeeds } from "../engine/cli-values.ts";
import { UsageError } from "../engine/errors.ts";
import { listFamilies } from "../scenarios/families/catalogue.ts";
import { type DatasetOptions, DEFAULT_DATASET_OPTIONS, parseDatasetOptions } from "./dataset-options.ts";
import { natsJobRunner, runDatasetWorker } from "./distributed.ts";
import { type DatasetProgress, generateDataset } from "./generate-dataset.ts";

export const HELP = `Scenario dataset: labelled protocol-steps for training contagion early-warning models.

Usage: npm run sim:dataset -- [options]

Runs the engine once per (scenario family, seed) with agents off, and writes one row per protocol
per hour: what the protocol could observe then (its books, prices and returns, realised
volatility, its neighbours' exposure-weighted stress, DebtRank, clearing shortfall) and labels
from the future (insolvent or halted within 6/24/72 h, censoring, shortfall in the next 72 h),
with family and seed columns so whole families can be held out. Output: an Apache Arrow IPC file
(pandas.read_feather, polars.read_ipc, DuckDB through pyarrow) and <out>.schema.json.

Options:
  --families <list>     comma-separated family names, or "all" (default: all; see --list)
  --seeds <n|list>      seeds per family: a count ("20"), a list ("1,2,3") or a range ("1..50")
                        of whole numbers >= 0, each seed once (default: 5)
  --out <file.arrow>    where to write; must not exist yet (default: sim-out/dataset-<time>.arrow)
  --positions <n>       borrowers per lending market (default ${DEFAULT_DATASET_OPTIONS.positionsPerLending})
  --traders <n>         traders per side per perp market (default ${DEFAULT_DATASET_OPTIONS.tradersPerSide})
  --nats <url>          fan out over NATS JetStream: workers pull the jobs (start them with
                        --worker on any machine that reaches the server)
  --local-workers <n>   with --nats, also run n workers in this process (default 0)
  --worker              be a worker: serve open datasets from --nats until stopped
  --once                with --worker: exit when no open dataset has work
  --list                list the families and exit
  -h, --help            show this help

Examples:
  npm run sim:dataset -- --seeds 20 --out data/contagion.arrow
  npm run sim:dataset -- --families ring-contagion,chain-contagion --seeds 1..100
  npm run sim:dataset -- --nats nats://127.0.0.1:4222 --local-workers 2 --seeds 50
`;

export type DatasetCli =
  | { action: "help" }
  | { action: "list" }
  | { action: "worker"; nats: string; once: boolean }
  | { action: "generate"; options: DatasetOptions };

const wholeOption = (name: string, value: string | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
  return n;
};

export function parseDatasetArgs(argv: readonly string[], now = new Date()): DatasetCli {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv, ["--seeds", "--positions", "--traders", "--local-workers"]),
      options: {
        families: { type: "string" },
        seeds: { type: "string" },
        out: { type: "string" },
        positions: { type: "string" },
        traders: { type: "string" },
        nats: { type: "string" },
        "local-workers": { type: "string" },
        worker: { type: "boolean" },
        once: { type: "boolean" },
        list: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { action: "help" };
  if (values.list) return { action: "list" };
  const nats = values.nats === undefined ? undefined : String(values.nats);
  if (nats !== undefined && !/^(nats|tls|wss?):\/\/\S+$/.test(nats.split(",")[0]!))
    throw new UsageError(`--nats: expected a URL such as nats://127.0.0.1:4222, got "${nats}"`);
  if (values.worker) {
    if (nats === undefined) throw new UsageError("--worker: needs --nats <url>");
    return { action: "worker", nats, once: Boolean(values.once) };
  }
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const localWorkers = wholeOption("local-workers", values["local-workers"] as string | undefined, 0, 0, 64);
  if (localWorkers > 0 && nats === undefined) throw new UsageError("--local-workers: only with --nats");
  const options = parseDatasetOptions({
    families: String(values.families ?? "all")
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== ""),
    seeds: parseSeeds(String(values.seeds ?? "5")),
    out: String(values.out ?? `sim-out/dataset-${stamp}.arrow`),
    positionsPerLending: wholeOption(
      "positions",
      values.positions as string | undefined,
      DEFAULT_DATASET_OPTIONS.positionsPerLending,
      1,
      100_000,
    ),
    tradersPerSide: wholeOption(
      "traders",
      values.traders as string | undefined,
      DEFAULT_DATASET_OPTIONS.tradersPerSide,
      1,
      10_000,
    ),
    ...(nats === undefined ? {} : { nats }),
    localWorkers,
  });
  return { action: "generate", options };
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  try {
    const cli = parseDatasetArgs(argv);
    if (cli.action === "help") {
      out(HELP);
      return 0;
    }
    if (cli.action === "list") {
      for (const f of listFamilies()) out(`${f.name.padEnd(40)} ${f.title}\n`);
      return 0;
    }
    if (cli.action === "worker") {
      const stop = new AbortController();
      process.once("SIGINT", () => stop.abort());
      process.once("SIGTERM", () => stop.abort());
      const r = await runDatasetWorker({ servers: cli.nats, once: cli.once, signal: stop.signal });
      err(`worker ran ${r.jobs} jobs\n`);
      return 0;
    }
    const o = cli.options;
    // The default folder is ours to create; a folder the user named must exist.
    if (o.out.startsWith("sim-out/")) mkdirSync(dirname(o.out), { recursive: true });
    const tty = process.stderr.isTTY === true;
    const bar = tty
      ? new SingleBar({
          format: "[{bar}] {value}/{total} runs | {rows} rows | {rate} rows/s | {last}",
          stream: process.stderr,
          hideCursor: true,
        })
      : undefined;
    const total = o.families.length * o.seeds.length;
    bar?.start(total, 0, { rows: 0, rate: 0, last: "" });
    const onProgress = (p: DatasetProgress) => {
      const rate = Math.round(p.rows / (p.elapsedMs / 1000));
      const last = `${p.last.family} seed ${p.last.seed}`;
      if (bar) bar.update(p.done, { rows: p.rows, rate, last });
      else if (p.done === p.total || p.done % Math.max(1, Math.floor(p.total / 10)) === 0)
        err(`${p.done}/${p.total} runs, ${p.rows} rows, ${rate} rows/s (${last})\n`);
    };
    const summary = await generateDataset({
      options: o,
      onProgress,
      runJobs: o.nats ? natsJobRunner({ servers: o.nats, localWorkers: o.localWorkers }) : undefined,
    });
    bar?.stop();
    out(
      `\n${summary.rows} rows (${summary.runs} runs, ${summary.families} families) in ${(summary.durationMs / 1000).toFixed(1)} s: ${Math.round(summary.rowsPerSecond)} labelled protocol-steps per second\n`,
    );
    out(
      `Positives: ${Object.entries(summary.positives)
        .map(([h, n]) => `${h} ${n} (${((100 * n) / Math.max(1, summary.rows)).toFixed(1)}%)`)
        .join(", ")}\n`,
    );
    out(`Data:   ${summary.files.data}\nSchema: ${summary.files.schema}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BaseError) {
      err(`\nerror: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

runCliIfMain(import.meta.url, "dataset", main);
