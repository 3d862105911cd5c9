/**
 * `npm run train -- --model valuation` and `npm run eval -- --model valuation`: generate the loan
 * dataset (deterministic per seed), train, save weights, evaluate on the held-out families and
 * print the figures (and write them to the model card's metrics file).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generateLoanDataset, loanDatasetFamilies } from "../../sims/loan-dataset/generate-loan-dataset.ts";
import type { LoanRow } from "../../sims/loan-dataset/loan-row.ts";
import { REPO_ROOT } from "../market/paths.ts";
import { valuationModelCard } from "./model-card.ts";
import { VALUATION_CARD, VALUATION_WEIGHTS } from "./paths.ts";
import {
  defaultValuationRecipe,
  evaluateValuation,
  trainValuation,
  type ValuationEvaluation,
  type ValuationRecipe,
} from "./train-valuation.ts";
import { readValuationFile, type ValuationModel, writeValuationFile } from "./valuation-model.ts";
import { renderValuationReport } from "./valuation-report.ts";

export { VALUATION_WEIGHTS };
/** Held out from training and calibration: two crises of different kinds (a collapse of an
 *  algorithmic stablecoin, a stETH discount). */
export const TEST_FAMILIES = ["may-2022-terra", "june-2022-steth-discount"] as const;
export const SEEDS = { full: 30, quick: 4 } as const;

export type RunValuationParameters = {
  quick?: boolean;
  out?: string;
  onProgress?: (step: number, total: number, phase: string) => void;
  log?: (line: string) => void;
};

type Dataset = { rows: LoanRow[]; runs: number; censored: number; markedAtEnd: number; seeds: number };

async function dataset(quick: boolean, p: RunValuationParameters): Promise<Dataset> {
  const seeds = quick ? SEEDS.quick : SEEDS.full;
  const d = await generateLoanDataset({
    seeds,
    onRun: (done, total, family) => p.onProgress?.(done, total, `loan dataset: ${family}`),
  });
  p.log?.(
    `loan dataset: ${d.rows.length} labelled loans from ${d.runs} runs (${d.markedAtEnd} of them still open at the end of their run, marked to market; ${d.censored} proposed in the last step, left out)`,
  );
  return { ...d, seeds };
}

function writeCard(
  file: string,
  model: ValuationModel,
  evaluation: ValuationEvaluation,
  d: Dataset,
  command: string,
) {
  const card = valuationModelCard({
    model,
    evaluation,
    dataset: {
      rows: d.rows.length,
      runs: d.runs,
      censored: d.censored,
      markedAtEnd: d.markedAtEnd,
      seeds: d.seeds,
      families: loanDatasetFamilies(),
    },
    command,
  });
  writeFileSync(file, card);
}

export async function runValuationTraining(
  p: RunValuationParameters = {},
): Promise<{ model: ValuationModel; evaluation: ValuationEvaluation; file: string }> {
  const quick = p.quick ?? false;
  const d = await dataset(quick, p);
  const rows = d.rows;
  const recipe: ValuationRecipe = quick
    ? { ...defaultValuationRecipe, members: 2, epochs: 10 }
    : defaultValuationRecipe;
  const model = await trainValuation({
    rows,
    testFamilies: TEST_FAMILIES,
    recipe,
    ...(p.onProgress ? { onProgress: p.onProgress } : {}),
  });
  const evaluation = evaluateValuation(model, rows, TEST_FAMILIES);
  // A quick run never replaces the shipped weights unless told where to write.
  const file = p.out
    ? join(p.out, "valuation.json")
    : quick
      ? join(tmpdir(), "valuation-quick", "valuation.json")
      : VALUATION_WEIGHTS;
  mkdirSync(dirname(file), { recursive: true });
  writeValuationFile(file, {
    ...model,
    training: { ...model.training, seeds: quick ? SEEDS.quick : SEEDS.full, heldOut: evaluation },
  });
  writeFileSync(join(dirname(file), "metrics.json"), `${JSON.stringify(evaluation, null, 2)}\n`);
  p.log?.(formatEvaluation(evaluation));
  p.log?.(`wrote ${file}`);
  // The shipped card only from a full run into the shipped folder.
  if (!quick && !p.out) writeCard(VALUATION_CARD, model, evaluation, d, "npm run train -- --model valuation");
  return { model, evaluation, file };
}

/** Where `npm run eval -- --model valuation` writes its HTML report unless --out says. */
export const VALUATION_REPORT_DIR = join(REPO_ROOT, "models-out/valuation");

export async function runValuationEval(
  p: RunValuationParameters & { weights?: string; cardFile?: string } = {},
): Promise<ValuationEvaluation & { html: string }> {
  const weights = p.weights ?? VALUATION_WEIGHTS;
  const model = readValuationFile(weights);
  const d = await dataset(p.quick ?? false, p);
  const evaluation = evaluateValuation(model, d.rows, TEST_FAMILIES);
  p.log?.(formatEvaluation(evaluation));
  if (p.cardFile) writeCard(p.cardFile, model, evaluation, d, "npm run eval -- --model valuation");
  const dir = p.out ?? VALUATION_REPORT_DIR;
  mkdirSync(dir, { recursive: true });
  const html = join(dir, "valuation-report.html");
  writeFileSync(
    html,
    await renderValuationReport({
      evaluation,
      title: "Liquidity valuation: held-out evaluation",
      meta: {
        weights,
        dataset: `${d.rows.length} labelled loans from ${d.runs} engine runs (${d.seeds} seeds per family, one run per proposal source)`,
        "loans marked at the run's end": String(d.markedAtEnd),
        conformal: model.conformal.method,
        command: "npm run eval -- --model valuation",
      },
    }),
  );
  p.log?.(`wrote ${html}`);
  return { ...evaluation, html };
}

const f = (x: number, d = 3) => x.toFixed(d);

export function formatEvaluation(e: ValuationEvaluation): string {
  return [
    `held-out families ${e.families.join(", ")}: ${e.rows} loans, shortfall rate ${f(e.shortfallRate)}`,
    `90% interval coverage: shortfall ${f(e.coverage.shortfall)} (mean width ${f(e.coverage.shortfallWidth)}), loss ${f(e.coverage.loss)} (mean width ${f(e.coverage.lossWidth)})`,
    `loss interval coverage by group: ${e.coverage.lossByGroup.map((g) => `${g.group} ${f(g.coverage)} (${g.rows} loans)`).join(", ")}`,
    ...(["loss", "shortfall"] as const).flatMap((head) => {
      const t = head === "loss" ? e.coverage.lossTracked : e.coverage.shortfallTracked;
      return t
        ? [
            `${head} interval tracked by the lender's own outcomes (step ${t.eta}): coverage ${f(t.coverage)} (mean width ${f(t.meanWidth)}; ${t.byFamily.map((g) => `${g.family} ${f(g.coverage)}`).join(", ")})`,
          ]
        : [];
    }),
    "shortfall            AUROC  AUPRC  Brier  ECE",
    ...e.shortfallTable.map(
      (r) => `  ${r.name.padEnd(32)} ${f(r.auroc)}  ${f(r.auprc)}  ${f(r.brier)}  ${f(r.ece)}`,
    ),
    "expected loss        MSE    MAE",
    ...e.lossTable.map((r) => `  ${r.name.padEnd(48)} ${f(r.mse, 4)}  ${f(r.mae, 4)}`),
  ].join("\n");
}
