import { loadTrainingDataset, subset, rowsIn, fitMarketStandardizer, modelInput } from "./models/market/dataset.ts";
import { LABELLED, VALIDATION_SPLITS } from "./models/market/splits.ts";
import { auroc } from "./models/metrics/roc.ts";
import { averagePrecision } from "./models/metrics/precision-recall.ts";
import { fitLogisticRegression } from "./models/baselines/logistic-regression.ts";
import { fitThresholdRule } from "./models/baselines/threshold-rule.ts";
import { fitRandomForest } from "./models/baselines/random-forest.ts";
const d = loadTrainingDataset("/work/shared/data/market", LABELLED);
for (const s of VALIDATION_SPLITS) {
  const tr = subset(d, rowsIn(d, s.train)), te = subset(d, rowsIn(d, s.test));
  const st = fitMarketStandardizer(tr.x);
  const xtr = modelInput(tr.x, st, tr.hoursMs), xte = modelInput(te.x, st, te.hoursMs);
  const res: string[] = [];
  for (const l2 of [1e-3, 1e-2, 1e-1]) { const lr = fitLogisticRegression({ x: xtr, y: tr.y, l2 }); const p = lr.predict(xte); res.push(`LR${l2} ${auroc(p, te.y).toFixed(3)}/${averagePrecision(p, te.y).toFixed(3)}`); }
  for (const c of ["eth_logvol_24h", "eth_logvol_168h", "weth_liquidations_24h", "eth_drawdown_168h", "eth_ret_24h", "usdc_utilization", "eth_funding_bps"]) {
    const j = xte.names.indexOf(c); const v = Array.from({ length: xte.rows }, (_, i) => xte.values[i * xte.cols + j]!);
    res.push(`${c} ${auroc(v, te.y).toFixed(3)}/${averagePrecision(v, te.y).toFixed(3)}`);
  }
  let t = performance.now();
  const rf = fitRandomForest({ x: xtr, y: tr.y, seed: 1 }); const p = rf.predict(xte);
  res.push(`RF ${auroc(p, te.y).toFixed(3)}/${averagePrecision(p, te.y).toFixed(3)} (${((performance.now() - t) / 1000).toFixed(1)}s)`);
  console.log(s.name, te.y.reduce((a, b) => a + b, 0), "\n  " + res.join("\n  "));
}
