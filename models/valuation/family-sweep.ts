/**
 * Each scenario family held out in turn (never in training or calibration), the rest trained on
 * with the shipped recipe: loss and shortfall interval coverage per held-out family, and the
 * shortfall AUROC and Brier beside the logistic-regression baseline's (AUROC "-" when the family
 * has one class only). A fuller view of coverage across crises than the two shipped test families.
 *   npx tsx models/valuation/family-sweep.ts [--seeds 30] [--members 4] [--families a,b]
 */
import { parseArgs } from "node:util";
import { generateLoanDataset } from "../../sims/loan-dataset/generate-loan-dataset.ts";
import { fitLogisticRegression } from "../baselines/logistic-regression.ts";
import { fitStandardizer, standardize } from "../feature-matrix.ts";
import { brierScore } from "../metrics/calibration.ts";
import { auroc } from "../metrics/roc.ts";
import { selectBackend } from "../runtime/backend.ts";
import { defaultValuationRecipe, loanMatrix, trainValuation } from "./train-valuation.ts";
import { createValuationScorer } from "./valuation-model.ts";

const { values } = parseArgs({
  options: { seeds: { type: "string" }, members: { type: "string" }, families: { type: "string" } },
});
await selectBackend({});
const d = await generateLoanDataset({ seeds: Number(values.seeds ?? 30) });
const all = [...new Set(d.rows.map((r) => r.family))].sort();
const families = values.families ? values.families.split(",") : all;
const recipe = {
  ...defaultValuationRecipe,
  members: Number(values.members ?? defaultValuationRecipe.members),
};
console.log(`${d.rows.length} loans, families with loans: ${all.join(", ")}; members ${recipe.members}\n`);
console.log(
  "| held-out family | loans | shortfall rate | loss coverage | shortfall coverage | AUROC model / LR | Brier model / LR |",
);
console.log("|---|---|---|---|---|---|---|");
const f = (x: number) => x.toFixed(3);
for (const family of families) {
  const model = await trainValuation({ rows: d.rows, testFamilies: [family], recipe });
  const train = d.rows.filter((r) => r.family !== family);
  const test = d.rows.filter((r) => r.family === family);
  const scorer = createValuationScorer(model);
  const x = loanMatrix(test);
  const est = test.map((_, i) => scorer.estimateFeatures(x.values.subarray(i * x.cols, (i + 1) * x.cols)));
  const ys = test.map((r): number => (r.shortfall ? 1 : 0));
  const inside = (y: number, b: { low: number; high: number }) => y >= b.low && y <= b.high;
  const lossCov = test.filter((r, i) => inside(r.lossShare, est[i]!.loss)).length / test.length;
  const sfCov = ys.filter((y, i) => inside(y, est[i]!.shortfall)).length / test.length;
  const xTrain = loanMatrix(train);
  const st = fitStandardizer(xTrain);
  const lr = fitLogisticRegression({
    x: standardize(xTrain, st),
    y: train.map((r): number => (r.shortfall ? 1 : 0)),
    l2: 1e-3,
  }).predict(standardize(x, st));
  const p = est.map((e) => e.shortfall.p);
  const rate = ys.reduce((a, b) => a + b, 0) / ys.length;
  const both = rate > 0 && rate < 1;
  console.log(
    `| ${family} | ${test.length} | ${f(rate)} | ${f(lossCov)} | ${f(sfCov)} | ${both ? `${f(auroc(p, ys))} / ${f(auroc(lr, ys))}` : "-"} | ${f(brierScore(p, ys))} / ${f(brierScore(lr, ys))} |`,
  );
}
