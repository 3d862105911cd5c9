import { selectBackend } from "./models/runtime/backend.ts";
import { loadTrainingDataset, subset, rowsIn } from "./models/market/dataset.ts";
import { LABELLED, VALIDATION_SPLITS } from "./models/market/splits.ts";
import { trainMarketEnsemble } from "./models/market/train.ts";
import { FULL_RECIPE, createMarketScorer } from "./models/market/model.ts";
import { auroc } from "./models/metrics/roc.ts";
import { averagePrecision } from "./models/metrics/precision-recall.ts";
const { backend } = await selectBackend({});
const d = loadTrainingDataset("/work/shared/data/market", LABELLED);
const variants: Record<string, Partial<typeof FULL_RECIPE>> = {
  base: {},
  small_l2: { hidden: [16], l2: 1e-2, epochs: 20 },
  tiny_strong: { hidden: [8], l2: 3e-2, epochs: 20, roleDropout: 0.3 },
  wide_short: { hidden: [32, 16], l2: 1e-2, epochs: 10 },
};
for (const [name, v] of Object.entries(variants)) {
  const out: string[] = [];
  for (const s of VALIDATION_SPLITS) {
    const e = await trainMarketEnsemble({ dataset: d, window: s.train, recipe: { ...FULL_RECIPE, members: 3, calibrationBlocks: 0, ...v }, backend });
    const te = subset(d, rowsIn(d, s.test));
    const sc = createMarketScorer(e).scoreRows(te.x, te.hoursMs);
    out.push(`${s.name} ${auroc(sc.p, te.y).toFixed(3)}/${averagePrecision(sc.p, te.y).toFixed(3)}`);
  }
  console.log(name, out.join("  "));
}
