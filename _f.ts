import { join } from "node:path";
import { readMarketInputs, TRAINING_FILES } from "./models/datasets/market/roles.ts";
import { buildMarketFeatures, FEATURE_NAMES, OPTIONAL_GROUPS } from "./models/features/market/market-features.ts";
import { cascadeLabels } from "./models/datasets/market/cascade-labels.ts";
const dir = "/work/shared/data/market";
let t = performance.now();
const files = Object.fromEntries(Object.entries(TRAINING_FILES).map(([k, v]) => [k, join(dir, v)])) as typeof TRAINING_FILES;
const inputs = readMarketInputs(files);
console.log("read ms", performance.now() - t); t = performance.now();
const from = Date.UTC(2020, 11, 7), to = Date.UTC(2021, 11, 30, 23);
const f = buildMarketFeatures({ inputs, fromMs: from, toMs: to });
console.log("features ms", performance.now() - t, f.x.rows);
const L = cascadeLabels({ markets: [inputs.aaveWeth!, inputs.aaveUsdc!], fromMs: from, toMs: to });
console.log("pos", L.labels.reduce((a, b) => a + b, 0), "events", L.eventsMs.map((e) => new Date(e).toISOString().slice(0, 13)).join(" "));
for (const g of OPTIONAL_GROUPS) console.log(g, f.present[g].reduce((a, b) => a + b, 0));
for (let j = 0; j < f.x.cols; j++) {
  const v: number[] = []; for (let i = 0; i < f.x.rows; i++) { const x = f.x.values[i * f.x.cols + j]!; if (Number.isFinite(x)) v.push(x); }
  v.sort((a, b) => a - b);
  console.log(FEATURE_NAMES[j]!.padEnd(30), v.length, [0, 0.01, 0.5, 0.99, 1].map((q) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!.toPrecision(3)).join(" "));
}
