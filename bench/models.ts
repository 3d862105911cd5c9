/**
 * `npm run bench -- --only models` (or `tsx bench/models.ts [--quick]`): the market model per
 * decision, tfjs against the fast path (Float32Array forward pass over the exported weights), in
 * the same process on the same rows: the ensemble alone, and including the feature row built from
 * the hourly window an agent keeps. Medians and p99 in microseconds; JSON in
 * bench/results/models.json. Target (DESIGN.md): p99 < 1 ms per decision including features.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { readMarketInputs } from "../models/datasets/market/roles.ts";
import { HOUR_MS } from "../models/datasets/market/series.ts";
import {
  alignInputs,
  FEATURE_NAMES,
  featuresAt,
  GROUP_COLUMNS,
  OPTIONAL_GROUPS,
} from "../models/features/market/market-features.ts";
import { trainingFiles } from "../models/market/dataset.ts";
import { createMarketScorer } from "../models/market/model.ts";
import { DEFAULT_DATA_DIR, SHIPPED_WEIGHTS, WEIGHTS_DIR } from "../models/market/paths.ts";
import { readEnsembleFile } from "../models/mlp/ensemble-file.ts";
import { mlpFromWeights } from "../models/mlp/tfjs-mlp.ts";
import { selectBackend } from "../models/runtime/backend.ts";
import { combineLogits } from "../models/uncertainty/logit-ensemble.ts";
import { machineInfo, progress } from "./env.ts";
import { formatJson, rounded, summarize } from "./stats.ts";

const TARGET_P99_US = 1000;

function time(n: number, fn: (i: number) => void): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    out[i] = (performance.now() - t) * 1000;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, data: { type: "string" } },
    strict: true,
  });
  const samples = values.quick ? 500 : 5000;
  const e = readEnsembleFile(join(WEIGHTS_DIR, SHIPPED_WEIGHTS));
  const scorer = createMarketScorer(e);
  const inputs = readMarketInputs(trainingFiles(values.data ?? DEFAULT_DATA_DIR));
  // The agent's window: the hours around the May 2021 cascade, aligned once; each decision
  // builds one row from it.
  const fromMs = Date.UTC(2021, 4, 1);
  const hours = 24 * 30;
  const aligned = alignInputs(inputs, fromMs, hours);
  const raw = new Float32Array(FEATURE_NAMES.length);
  const label = (i: number) => () => new Date(fromMs + (i % hours) * HOUR_MS).toISOString();
  const rows: Float32Array[] = [];
  for (let i = 0; i < hours; i++) {
    featuresAt(aligned, aligned.lookback + i, raw, label(i));
    rows.push(Float32Array.from(raw));
  }
  const results: Record<string, unknown> = {};
  for (const backend of ["wasm", "cpu"] as const) {
    await selectBackend({ prefer: backend });
    progress(
      `models bench on tfjs ${backend}: ${e.members.length} members, ${samples} decisions per variant`,
    );
    const nets: tfl.Sequential[] = e.members.map((m) => mlpFromWeights(m.weights, e.architecture));
    const { mean, std } = e.standardizer;
    const input = new Float32Array(FEATURE_NAMES.length);
    const logits = new Float64Array(nets.length);
    const groups = OPTIONAL_GROUPS.map((g) => GROUP_COLUMNS[g]);
    const tfjsScore = (r: Float32Array) => {
      // The same standardisation and imputation as the fast path; then one predict per member.
      for (let j = 0; j < input.length; j++) input[j] = (r[j]! - mean[j]!) / std[j]!;
      for (const g of groups) if (r[g.mask!] === 0) for (const j of g.features) input[j] = 0;
      const x = tf.tensor2d(input, [1, input.length]);
      for (let k = 0; k < nets.length; k++) {
        const y = nets[k]!.predict(x) as tf.Tensor;
        const p = y.dataSync()[0]!;
        logits[k] = Math.log(p / (1 - p));
        y.dispose();
      }
      x.dispose();
      return combineLogits(logits, e.calibration, e.interval.z);
    };
    // Warm-up.
    for (let i = 0; i < 200; i++) {
      tfjsScore(rows[i % hours]!);
      scorer.scoreRaw(rows[i % hours]!);
    }
    const variants = {
      "tfjs, ensemble only": time(samples, (i) => tfjsScore(rows[i % hours]!)),
      "fast path, ensemble only": time(samples, (i) => scorer.scoreRaw(rows[i % hours]!)),
      "tfjs, incl. feature row": time(samples, (i) => {
        featuresAt(aligned, aligned.lookback + (i % hours), raw, label(i));
        tfjsScore(raw);
      }),
      "fast path, incl. feature row": time(samples, (i) => {
        featuresAt(aligned, aligned.lookback + (i % hours), raw, label(i));
        scorer.scoreRaw(raw);
      }),
      "feature row alone": time(samples, (i) =>
        featuresAt(aligned, aligned.lookback + (i % hours), raw, label(i)),
      ),
    };
    const summary = Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, summarize(v)]));
    const p = (k: keyof typeof variants) => summary[k]!;
    results[backend] = {
      tfjsBackendInUse: tf.getBackend(),
      unit: "microseconds per decision",
      variants: summary,
      speedupP50: p("tfjs, ensemble only").p50 / p("fast path, ensemble only").p50,
      speedupP99: p("tfjs, ensemble only").p99 / p("fast path, ensemble only").p99,
      targetP99Us: TARGET_P99_US,
      fastPathWithFeaturesMeetsTarget: p("fast path, incl. feature row").p99 < TARGET_P99_US,
    };
    for (const n of nets) n.dispose();
    process.stdout.write(
      `\nmarket model per decision, tfjs backend ${backend} (${e.members.length} members):\n`,
    );
    for (const [k, s] of Object.entries(summary))
      process.stdout.write(
        `  ${k.padEnd(32)} p50 ${s.p50.toFixed(1).padStart(8)} us   p99 ${s.p99.toFixed(1).padStart(8)} us\n`,
      );
  }
  const out = rounded({
    schema: "liquidity-negotiation/bench-models/v1",
    machine: machineInfo(),
    samples,
    weights: SHIPPED_WEIGHTS,
    results,
  });
  mkdirSync(join("bench", "results"), { recursive: true });
  writeFileSync(join("bench", "results", "models.json"), formatJson(out));
  progress("wrote bench/results/models.json");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `models bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
