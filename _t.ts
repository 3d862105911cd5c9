import { selectBackend } from "./models/runtime/backend.ts";
import { loadTrainingDataset } from "./models/market/dataset.ts";
import { LABELLED, VALIDATION_SPLITS } from "./models/market/splits.ts";
import { trainMarketEnsemble } from "./models/market/train.ts";
import { FULL_RECIPE, createMarketScorer } from "./models/market/model.ts";
import { subset, rowsIn } from "./models/market/dataset.ts";
import { auroc } from "./models/metrics/roc.ts";
import { averagePrecision } from "./models/metrics/precision-recall.ts";
const { backend } = await selectBackend({ prefer: (process.env.B as never) ?? undefined });
const d = loadTrainingDataset("/work/shared/data/market", LABELLED);
const sp = VALIDATION_SPLITS[0]!;
let t = performance.now();
const recipe = { ...FULL_RECIPE, members: 2, calibrationBlocks: 0, epochs: Number(process.env.E ?? 30) };
const e = await trainMarketEnsemble({ dataset: d, window: sp.train, recipe, backend, onProgress: (p) => { if (p.step % 10 === 0) console.log(p.phase, p.step, p.total, p.loss?.toFixed(4), ((performance.now() - t) / 1000).toFixed(1)); } });
console.log("train s", (performance.now() - t) / 1000, backend);
for (const s of VALIDATION_SPLITS) {
  const te = subset(d, rowsIn(d, s.test));
  const sc = createMarketScorer(e).scoreRows(te.x, te.hoursMs);
  console.log(s.name, "auroc", auroc(sc.p, te.y).toFixed(3), "ap", averagePrecision(sc.p, te.y).toFixed(3), "base", (te.y.reduce((a, b) => a + b, 0) / te.y.length).toFixed(3));
}
