/**
 * `npm run models -- <command>` (and `npm run train`, `npm run eval`):
 *
 *   train         [--model market|valuation] [--data DIR] [--out DIR] [--quick] [--backend wasm|cpu]
 *   eval          [--model market|valuation] [--data DIR] [--weights DIR] [--out DIR] [--card FILE|--no-card] [--quick]
 *   score-market  --manifest m.json --out scores.csv [--weights FILE]
 *   contagion-ablation --dataset FILE.arrow [--out DIR]
 *
 * Models by name: `market` (the real-market cascade warning) and `valuation` (loans: shortfall
 * probability and expected loss); without --model, train and eval run every model. `contagion`
 * plugs into the same commands when its dataset exists (issue 12 part 1).
 */
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { BaseError } from "../core/errors.ts";
import { createLogger } from "../core/log.ts";
import { ablateContagion, evalContagion, trainContagion } from "./contagion/cli-commands.ts";
import { DEFAULT_DATA_DIR, MODEL_CARD, REPORT_DIR, SHIPPED_WEIGHTS, WEIGHTS_DIR } from "./market/paths.ts";
import { runMarketEval } from "./market/run-eval.ts";
import { runMarketTraining } from "./market/run-train.ts";
import { scoreMarket } from "./market/score-market.ts";
import { type BackendName, selectBackend } from "./runtime/backend.ts";
import { VALUATION_CARD } from "./valuation/paths.ts";
import { runValuationEval, runValuationTraining } from "./valuation/run-valuation.ts";

const MODELS = {
  market: "real-market liquidation-cascade early warning",
  valuation: "liquidity valuation of proposed loans (shortfall probability, expected loss)",
  contagion: "contagion early warning from the simulator dataset (--dataset FILE from npm run sim:dataset)",
} as const;
type ModelName = keyof typeof MODELS;
const PLANNED: Record<string, string> = {};

function usage(code = 2): never {
  process.stderr.write(
    [
      "usage: npm run models -- <command> [options]",
      "  train         [--model market|valuation|contagion] [--data DIR | --dataset FILE.arrow] [--out DIR] [--quick] [--backend wasm|cpu]",
      "  eval          [--model market|valuation|contagion] [--data DIR | --dataset FILE.arrow] [--weights DIR] [--out DIR] [--card FILE | --no-card] [--quick]",
      "  score-market  --manifest m.json --out scores.csv [--weights FILE]",
      "  contagion-ablation --dataset FILE.arrow [--out DIR]   (input choice on the validation families; the card quotes it)",
      "",
      `  --data defaults to $MARKET_DATA or ${DEFAULT_DATA_DIR}`,
      `  models: ${Object.keys(MODELS).join(", ")} (planned: ${Object.entries(PLANNED)
        .map(([k, v]) => `${k}, ${v}`)
        .join("; ")})`,
      "",
    ].join("\n"),
  );
  process.exit(code);
}

const logger = createLogger({ level: (process.env.LOG_LEVEL as "info" | undefined) ?? "info" });

/** The models a command runs: the one named, or every model (contagion only with --dataset). */
function checkModel(name: string | undefined, hasDataset = false): ModelName[] {
  if (name === undefined)
    return (Object.keys(MODELS) as ModelName[]).filter((m) => m !== "contagion" || hasDataset);
  const m = name;
  if (m in MODELS) return [m as ModelName];
  if (m in PLANNED) throw new Error(`model "${m}" is not built yet: ${PLANNED[m as keyof typeof PLANNED]}`);
  throw new Error(`unknown model "${m}" (known: ${Object.keys(MODELS).join(", ")})`);
}

/** A progress line every 10 % (or on each phase change) on stderr. */
function progressLine(model: string) {
  let shown = -1;
  let phase = "";
  return (step: number, total: number, what: string) => {
    const tenth = Math.floor((10 * step) / total);
    const kind = what.split(":")[0]!;
    if (tenth === shown && kind === phase) return;
    shown = tenth;
    phase = kind;
    process.stderr.write(`${model}: ${step}/${total} ${what}\n`);
  };
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help" || command === "-h") usage(command ? 0 : 2);
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: "string" },
      data: { type: "string" },
      out: { type: "string" },
      weights: { type: "string" },
      card: { type: "string" },
      "no-card": { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      backend: { type: "string" },
      manifest: { type: "string" },
      dataset: { type: "string" },
    },
    strict: true,
  });
  const started = performance.now();
  const data = resolve(values.data ?? DEFAULT_DATA_DIR);
  // Cards and reports quote the command: an absolute path (a scratch folder on the machine that ran
  // it) is shown by its file name only.
  const args = rest.length ? ` ${rest.map((a) => (a.startsWith("/") ? basename(a) : a)).join(" ")}` : "";
  const commandLine =
    command === "train" || command === "eval"
      ? `npm run ${command}${rest.length ? ` --${args}` : ""}`
      : `npm run models -- ${command}${args}`;
  switch (command) {
    case "train": {
      const models = checkModel(values.model, values.dataset !== undefined);
      if (models.includes("valuation")) {
        await selectBackend({ prefer: values.backend as BackendName | undefined, logger });
        await runValuationTraining({
          quick: values.quick ?? false,
          ...(values.out ? { out: resolve(values.out) } : {}),
          onProgress: progressLine("valuation"),
          log: (line) => process.stdout.write(`${line}\n`),
        });
        if (!models.includes("market")) break;
      }
      if (models.includes("contagion")) {
        const { backend } = await selectBackend({
          prefer: values.backend as BackendName | undefined,
          logger,
        });
        await trainContagion({
          dataset: values.dataset,
          out: values.out,
          quick: values.quick ?? false,
          backend,
        });
        if (!models.includes("market")) break;
      }
      const { backend } = await selectBackend({ prefer: values.backend as BackendName | undefined, logger });
      const out = resolve(values.out ?? WEIGHTS_DIR);
      const bar = new SingleBar({
        format:
          "{model} {bar} {percentage}% | {value}/{total} epochs | {phase} | loss {loss} | {duration_formatted}",
        hideCursor: true,
        stream: process.stderr,
        // Not a terminal (CI, a log file): a line every 10 s instead of redrawing.
        noTTYOutput: true,
        notTTYSchedule: 10_000,
      });
      let current = "";
      const r = await runMarketTraining({
        dataDir: data,
        outDir: out,
        backend,
        quick: values.quick ?? false,
        onProgress: (model, p) => {
          if (model !== current) {
            if (current) bar.stop();
            current = model;
            bar.start(p.total, 0, { model, phase: p.phase, loss: "-" });
          }
          bar.update(p.step, { model, phase: p.phase, loss: p.loss?.toFixed(4) ?? "-" });
        },
      });
      bar.stop();
      process.stdout.write(`backend: ${backend}\nout-of-sample (fold models, calibrated):\n`);
      for (const f of r.folds)
        process.stdout.write(
          `  ${f.split}: AUROC ${f.auroc.toFixed(3)}  AUPRC ${f.auprc.toFixed(3)}  (${f.positives} cascade hours of ${f.rows})\n`,
        );
      process.stdout.write(
        `wrote ${r.files.join(", ")}\nnext: npm run eval (baselines, report, model card)\n`,
      );
      break;
    }
    case "eval": {
      const models = checkModel(values.model, values.dataset !== undefined);
      if (models.includes("valuation")) {
        await selectBackend({ prefer: values.backend as BackendName | undefined, logger });
        await runValuationEval({
          quick: values.quick ?? false,
          ...(values.weights && !models.includes("market") ? { weights: resolve(values.weights) } : {}),
          ...(values.out && !models.includes("market") ? { out: resolve(values.out) } : {}),
          ...(values["no-card"] || (values.quick ?? false)
            ? {}
            : {
                cardFile: resolve(
                  models.includes("market") ? VALUATION_CARD : (values.card ?? VALUATION_CARD),
                ),
              }),
          onProgress: progressLine("valuation"),
          log: (line) => process.stdout.write(`${line}\n`),
        });
        if (!models.includes("market")) break;
      }
      if (models.includes("contagion")) {
        const { backend } = await selectBackend({
          prefer: values.backend as BackendName | undefined,
          logger,
        });
        await evalContagion({ ...values, command: commandLine, backend });
        if (!models.includes("market")) break;
      }
      const { backend } = await selectBackend({ prefer: values.backend as BackendName | undefined, logger });
      const r = await runMarketEval({
        dataDir: data,
        weightsDir: resolve(values.weights ?? WEIGHTS_DIR),
        outDir: resolve(values.out ?? REPORT_DIR),
        ...(values["no-card"] ? {} : { cardFile: resolve(values.card ?? MODEL_CARD) }),
        backend,
        quick: values.quick ?? false,
        command: commandLine,
        onProgress: (what) => process.stderr.write(`eval: ${what}\n`),
      });
      const e = r.evaluation;
      for (const s of [...e.splits, e.pooled]) {
        process.stdout.write(
          `\n${s.split}: ${s.test.rows} h, ${s.test.positives} cascade hours, ${s.test.events.length} events\n`,
        );
        process.stdout.write(`  ${"model".padEnd(30)} AUROC  AUPRC  Brier   ECE     warned  lead(h)\n`);
        for (const m of s.models)
          process.stdout.write(
            `  ${m.name.padEnd(30)} ${m.auroc.toFixed(3)}  ${m.auprc.toFixed(3)}  ${m.brier.toFixed(4)}  ${m.ece.toFixed(4)}  ${`${m.lead.detected}/${m.lead.events}`.padEnd(6)}  ${m.lead.medianLeadHours ?? "-"}\n`,
          );
      }
      process.stdout.write("\nmissing roles (pooled):\n");
      for (const d of e.degradation)
        process.stdout.write(
          `  ${d.inputs.padEnd(62)} AUROC ${d.auroc.toFixed(3)}  AUPRC ${d.auprc.toFixed(3)}\n`,
        );
      process.stdout.write(`\nwrote ${r.html}, ${r.json}${r.card ? `, ${r.card}` : ""}\n`);
      break;
    }
    case "contagion-ablation": {
      const { backend } = await selectBackend({ prefer: values.backend as BackendName | undefined, logger });
      await ablateContagion({ dataset: values.dataset, out: values.out, backend, command: commandLine });
      break;
    }
    case "score-market": {
      if (!values.manifest || !values.out) usage();
      const r = scoreMarket({
        manifest: resolve(values.manifest),
        weights: resolve(values.weights ?? join(WEIGHTS_DIR, SHIPPED_WEIGHTS)),
        out: resolve(values.out),
      });
      process.stdout.write(
        `scored ${r.rows} hours (${r.from} to ${r.to} UTC) from roles ${r.rolesGiven.join(", ")}; mean p ${r.meanP.toFixed(4)}, max ${r.maxP.p.toFixed(3)} at ${r.maxP.hour}\n`,
      );
      if (r.warmupHours > 0)
        process.stdout.write(
          `note: the first ${r.warmupHours} hours use shorter look-back windows (warm-up)\n`,
        );
      const absent = Object.entries(r.presentShare).filter(([, s]) => s < 1);
      if (absent.length)
        process.stdout.write(
          `roles absent for part of the hours (scored through the masks): ${absent.map(([g, s]) => `${g} ${(100 * (1 - s)).toFixed(0)}%`).join(", ")}\n`,
        );
      process.stdout.write(`wrote ${resolve(values.out)}\n`);
      break;
    }
    default:
      usage();
  }
  logger.info("done", { command, seconds: Math.round((performance.now() - started) / 100) / 10 });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof BaseError) process.stderr.write(`error: ${err.message}\n`);
    else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
