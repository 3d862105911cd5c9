/**
 * The contagion model's `npm run train` and `npm run eval` (models/cli.ts dispatches here on
 * `--model contagion`): progress bar, printed tables, files written.
 */
import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { ModelInputError } from "../errors.ts";
import { readContagionDataset } from "./dataset.ts";
import {
  CONTAGION_MODEL_CARD,
  CONTAGION_WEIGHTS_DIR,
  formatEvaluation,
  runContagionEval,
  runContagionTraining,
} from "./run.ts";
import { formatAblation, runValidationAblation, writeValidationAblation } from "./validation-ablation.ts";

const needDataset = (file: string | undefined): string => {
  if (!file)
    throw new ModelInputError(
      "--model contagion needs --dataset FILE.arrow",
      "Make one with: npm run sim:dataset -- --seeds 15 --out contagion.arrow",
    );
  return resolve(file);
};

export async function trainContagion(p: {
  dataset: string | undefined;
  out: string | undefined;
  quick: boolean;
  backend: string;
}): Promise<void> {
  const bar = new SingleBar({
    format:
      "contagion {bar} {percentage}% | {value}/{total} epochs | {phase} | loss {loss} | {duration_formatted}",
    hideCursor: true,
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 10_000,
  });
  let phase = "";
  const files = await runContagionTraining({
    datasetFile: needDataset(p.dataset),
    outDir: resolve(p.out ?? CONTAGION_WEIGHTS_DIR),
    backend: p.backend,
    quick: p.quick,
    onProgress: (x) => {
      const horizon = x.phase.split(" member")[0]!;
      if (horizon !== phase) {
        if (phase) bar.stop();
        phase = horizon;
        bar.start(x.total, 0, { phase: x.phase, loss: "-" });
      }
      bar.update(x.step, { phase: x.phase, loss: x.loss?.toFixed(4) ?? "-" });
    },
  });
  bar.stop();
  process.stdout.write(
    `backend: ${p.backend}\nwrote ${files.join(", ")}\nnext: npm run eval -- --model contagion --dataset ${p.dataset}\n`,
  );
}

export async function evalContagion(p: {
  dataset?: string | undefined;
  weights?: string | undefined;
  out?: string | undefined;
  card?: string | undefined;
  "no-card"?: boolean | undefined;
  quick?: boolean | undefined;
  command: string;
  backend?: string | undefined;
}): Promise<void> {
  const r = await runContagionEval({
    datasetFile: needDataset(p.dataset),
    weightsDir: resolve(p.weights ?? CONTAGION_WEIGHTS_DIR),
    outDir: resolve(p.out ?? "models-out/contagion"),
    cardFile: p["no-card"] ? undefined : resolve(p.card ?? CONTAGION_MODEL_CARD),
    quick: p.quick ?? false,
    command: p.command,
    backend: p.backend,
  });
  for (const e of r.evaluations) process.stdout.write(`\n${formatEvaluation(e)}\n`);
  process.stdout.write(`\nwrote ${r.html}, ${r.json}${r.card ? `, ${r.card}` : ""}\n`);
}

export async function ablateContagion(p: {
  dataset: string | undefined;
  out: string | undefined;
  backend: string;
  command: string;
}): Promise<void> {
  const a = await runValidationAblation({
    dataset: readContagionDataset(needDataset(p.dataset)),
    backend: p.backend,
    command: p.command,
    onProgress: (what) => process.stderr.write(`ablation: ${what}\n`),
  });
  const file = writeValidationAblation(resolve(p.out ?? CONTAGION_WEIGHTS_DIR), a);
  process.stdout.write(`${formatAblation(a)}\nwrote ${file}\n`);
}
