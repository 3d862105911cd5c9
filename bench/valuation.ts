/**
 * `npm run bench -- --only models` (also `tsx bench/valuation.ts [--quick]`): one model-driven
 * lending decision, tfjs against the fast path, in the same process on the same loans: the two
 * ensembles (shortfall, loss) alone, and the whole decision (features from the RFQ, the lender's
 * state and its price memory, both heads, conformal intervals, reservation rate and haircut).
 * Medians and p99 in microseconds; JSON in bench/results/valuation.json. Target: p99 < 1 ms per
 * decision including features.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { mlpFromWeights } from "../models/mlp/tfjs-mlp.ts";
import { createRng } from "../models/random.ts";
import { selectBackend } from "../models/runtime/backend.ts";
import {
  buildLoanFeatures,
  LOAN_FEATURES,
  type LoanObservation,
  priceWindowStats,
} from "../models/valuation/loan-features.ts";
import { VALUATION_WEIGHTS } from "../models/valuation/paths.ts";
import { reservationTerms } from "../models/valuation/reservation-terms.ts";
import {
  conformalSpread,
  createValuationScorer,
  marketRisk,
  readValuationFile,
} from "../models/valuation/valuation-model.ts";
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
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } }, strict: true });
  const samples = values.quick ? 500 : 5000;
  const model = readValuationFile(VALUATION_WEIGHTS);
  const scorer = createValuationScorer(model);
  // Loans an agent might be asked for, each with 25 hourly prices of both tokens.
  const rng = createRng(7);
  const loans = Array.from({ length: 256 }, () => {
    const walk = (vol: number) => {
      const p = [2000];
      for (let h = 1; h < 25; h++) p.push(p[h - 1]! * Math.exp(vol * (rng.next() - 0.5)));
      return p;
    };
    return {
      collateral: walk(0.05),
      principal: walk(0.002),
      terms: {
        principalUsd: 1e5 + rng.next() * 1e7,
        coverage: 0.6 + rng.next() * 1.2,
        tenorHours: [6, 12, 24, 48][Math.floor(rng.next() * 4)]!,
        maxRateBps: 200 + rng.next() * 4800,
        lenderFreeUsd: 1e6 + rng.next() * 5e7,
      },
    };
  });
  const observe = (i: number): LoanObservation => {
    const l = loans[i % loans.length]!;
    const c = priceWindowStats(l.collateral, 1);
    return {
      principalUsd: l.terms.principalUsd,
      collateralUsd: l.terms.principalUsd * l.terms.coverage,
      tenorHours: l.terms.tenorHours,
      maxRateBps: l.terms.maxRateBps,
      lenderFreeUsd: l.terms.lenderFreeUsd,
      lenderHomeRateBps: 300,
      collateralVol24h: c.vol24h,
      collateralReturn24h: c.return24h,
      principalVol24h: priceWindowStats(l.principal, 1).vol24h,
      sameAsset: false,
    };
  };
  const rows = loans.map((_, i) => buildLoanFeatures(observe(i)));
  const terms = (estimate: ReturnType<typeof scorer.estimate>, i: number) =>
    reservationTerms({
      estimate,
      homeRateBps: 300,
      premiumBps: 200,
      tenorSeconds: loans[i % loans.length]!.terms.tenorHours * 3600,
      baseHaircutBps: 1000,
    });
  const results: Record<string, unknown> = {};
  for (const backend of ["wasm", "cpu"] as const) {
    await selectBackend({ prefer: backend });
    progress(`valuation bench on tfjs ${backend}: ${samples} decisions per variant`);
    const heads = [model.shortfall, model.loss].map((e) => ({
      e,
      nets: e.members.map((m) => mlpFromWeights(m.weights, e.architecture)) as tfl.Sequential[],
    }));
    const input = new Float32Array(LOAN_FEATURES.length);
    const tfjsEstimate = (r: Float32Array) => {
      const out: { mean: number; sd: number }[] = [];
      for (const { e, nets } of heads) {
        for (let j = 0; j < input.length; j++)
          input[j] = (r[j]! - e.standardizer.mean[j]!) / e.standardizer.std[j]!;
        const x = tf.tensor2d(input, [1, input.length]);
        let s = 0;
        let sq = 0;
        for (const n of nets) {
          const y = n.predict(x) as tf.Tensor;
          const v = y.dataSync()[0]!;
          y.dispose();
          s += v;
          sq += v * v;
        }
        x.dispose();
        const k = nets.length;
        const mean = s / k;
        out.push({ mean, sd: k > 1 ? Math.sqrt(Math.max(0, (sq - k * mean * mean) / (k - 1))) : 0 });
      }
      const band = (m: { mean: number; sd: number }, q: number, risk = 0) => {
        const w = q * conformalSpread(m.mean, m.sd, risk);
        return { low: Math.max(0, m.mean - w), high: Math.min(1, m.mean + w) };
      };
      // The same intervals as the fast path (valuation-model.ts): the loss spread adds the
      // collateral's risk over the tenor, and a one-sided loss interval is [0, upper].
      const risk = model.conformal.lossSpread === "market-risk" ? marketRisk(r) : 0;
      const loss =
        model.conformal.lossInterval === "upper"
          ? {
              low: 0,
              high: Math.min(
                1,
                Math.max(
                  0,
                  out[1]!.mean + model.conformal.loss * conformalSpread(out[1]!.mean, out[1]!.sd, risk),
                ),
              ),
            }
          : band(out[1]!, model.conformal.loss, risk);
      return {
        shortfall: { p: out[0]!.mean, ...band(out[0]!, model.conformal.shortfall) },
        loss: { expected: out[1]!.mean, ...loss },
      };
    };
    for (let i = 0; i < 200; i++) {
      tfjsEstimate(rows[i % rows.length]!);
      scorer.estimateFeatures(rows[i % rows.length]!);
    }
    const variants = {
      "tfjs, both ensembles only": time(samples, (i) => tfjsEstimate(rows[i % rows.length]!)),
      "fast path, both ensembles only": time(samples, (i) => scorer.estimateFeatures(rows[i % rows.length]!)),
      "tfjs, whole decision": time(samples, (i) => terms(tfjsEstimate(buildLoanFeatures(observe(i))), i)),
      "fast path, whole decision": time(samples, (i) => terms(scorer.estimate(observe(i)), i)),
      "features alone": time(samples, (i) => buildLoanFeatures(observe(i))),
    };
    const summary = Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, summarize(v)]));
    const p = (k: keyof typeof variants) => summary[k]!;
    results[backend] = {
      tfjsBackendInUse: tf.getBackend(),
      unit: "microseconds per decision",
      variants: summary,
      speedupP50: p("tfjs, both ensembles only").p50 / p("fast path, both ensembles only").p50,
      targetP99Us: TARGET_P99_US,
      fastPathDecisionMeetsTarget: p("fast path, whole decision").p99 < TARGET_P99_US,
    };
    for (const h of heads) for (const n of h.nets) n.dispose();
    process.stdout.write(
      `\nvaluation decision, tfjs backend ${backend} (2 heads x ${model.loss.members.length} members):\n`,
    );
    for (const [k, s] of Object.entries(summary))
      process.stdout.write(
        `  ${k.padEnd(32)} p50 ${s.p50.toFixed(1).padStart(8)} us   p99 ${s.p99.toFixed(1).padStart(8)} us\n`,
      );
  }
  const out = rounded({
    schema: "liquidity-negotiation/bench-valuation/v1",
    machine: machineInfo(),
    samples,
    results,
  });
  mkdirSync(join("bench", "results"), { recursive: true });
  writeFileSync(join("bench", "results", "valuation.json"), formatJson(out));
  progress("wrote bench/results/valuation.json");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `valuation bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
