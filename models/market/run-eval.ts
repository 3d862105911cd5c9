/**
 * `npm run eval` for the market model: evaluate the fold models and the baselines, write the
 * HTML report and metrics JSON, and regenerate MODEL_CARD.md from the same numbers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readEnsembleFile } from "../mlp/ensemble-file.ts";
import { renderMarketReport } from "../report/market-report.ts";
import { loadTrainingDataset } from "./dataset.ts";
import { evaluateMarket, type MarketEvaluation } from "./evaluate.ts";
import { marketModelCard } from "./model-card.ts";
import { foldWeightsName, SHIPPED_WEIGHTS } from "./paths.ts";
import { LABELLED, VALIDATION_SPLITS } from "./splits.ts";

export type RunMarketEvalParameters = {
  dataDir: string;
  weightsDir: string;
  outDir: string;
  /** Where to write the model card (omit to skip). */
  cardFile?: string;
  backend: string;
  quick?: boolean;
  command: string;
  onProgress?: (what: string) => void;
};

export type RunMarketEvalReturnType = {
  evaluation: MarketEvaluation;
  html: string;
  json: string;
  card?: string;
};

export async function runMarketEval(p: RunMarketEvalParameters): Promise<RunMarketEvalReturnType> {
  const dataset = loadTrainingDataset(p.dataDir, LABELLED);
  const foldModels = Object.fromEntries(
    VALIDATION_SPLITS.map((s) => [s.name, readEnsembleFile(join(p.weightsDir, foldWeightsName(s.name)))]),
  );
  const shipped = readEnsembleFile(join(p.weightsDir, SHIPPED_WEIGHTS));
  const evaluation = evaluateMarket({
    dataset,
    splits: VALIDATION_SPLITS,
    foldModels,
    randomForest: p.quick ? { trees: 10, groups: 2 } : { trees: 100, groups: 10 },
    ...(p.onProgress ? { onProgress: p.onProgress } : {}),
  });
  mkdirSync(p.outDir, { recursive: true });
  const json = join(p.outDir, "metrics.json");
  writeFileSync(json, `${JSON.stringify({ ...evaluation, timeline: undefined }, null, 1)}\n`);
  p.onProgress?.("report");
  const t = shipped.training as { window: { from: string; to: string } };
  const html = join(p.outDir, "report.html");
  writeFileSync(
    html,
    await renderMarketReport({
      evaluation,
      title: "market-cascade: Aave liquidation-cascade early warning, validation report",
      meta: {
        command: p.command,
        backend: p.backend,
        label: "Aave v2 WETH + USDC collateral liquidations over (t, t+24 h] >= $5M",
        validation: "rolling origin, folds 2021-Q3 and 2021-Q4 (gap > 24 h), pooled = 2021-H2",
        "shipped model trained on": `${t.window.from} to ${t.window.to}`,
        "members x architecture": `${shipped.members.length} x [${shipped.architecture.inputs} -> ${shipped.architecture.hidden.join(" -> ")} -> 1]`,
      },
    }),
  );
  let card: string | undefined;
  if (p.cardFile) {
    writeFileSync(
      p.cardFile,
      marketModelCard({ evaluation, shipped, backend: p.backend, command: p.command }),
    );
    card = p.cardFile;
  }
  return { evaluation, html, json, ...(card ? { card } : {}) };
}
