/**
 * `npm run bench -- --only risk` (or `tsx bench/risk-loop.ts [--quick]`): one risk-loop decision,
 * timed one at a time: features from an adapter snapshot and a 48-observation price window, the
 * rule detector, the ppm boundary, the propose decision, our ballot on a peer's proposal (the vote
 * decision, its EIP-712 alert signature, the tally update and quorum check). Beside it, the same
 * decision with the contagion-model detector: the model's observation built from a simulated
 * protocol's book and its 14 peers' published books (agents/risk/model-features.ts, DebtRank of the
 * picture included), the three horizons' ensembles, then the same vote. Baselines in the same
 * run: the decision without the signature, and one bare signature (core/signer). Medians and
 * p99 in microseconds; JSON in bench/results/risk-loop.json. Target (issue 13): p99 < 1 ms.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { keccak256, toHex } from "viem";
import {
  approvesLevel,
  DEFAULT_ALERT_THRESHOLDS,
  estimateAt,
  proposedLevel,
} from "../agents/risk/alert-decision.ts";
import { AlertTally } from "../agents/risk/alert-tally.ts";
import { type ContagionView, toEstimatePpm } from "../agents/risk/contagion-detector.ts";
import { createModelDetector } from "../agents/risk/model-detector.ts";
import { createModelFeatureBuilder } from "../agents/risk/model-features.ts";
import { computeRiskFeatures, createPriceWindow, observePrice } from "../agents/risk/risk-features.ts";
import { createRuleDetector } from "../agents/risk/rule-detector.ts";
import { hashRiskAlert, type RiskAlert, signRiskAlert } from "../arbitration/typed-data.ts";
import { createSigner } from "../core/signer.ts";
import { CONTAGION_FEATURES } from "../models/contagion/features.ts";
import type { RiskBook } from "../negotiation/risk/risk-schemas.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { recordRun } from "../sims/engine/testing/recorded-books.ts";
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

export async function benchRiskLoop(opts: { quick: boolean }) {
  const n = opts.quick ? 2_000 : 20_000;
  const signer = createSigner(keccak256(toHex("bench-risk")));
  const peer = createSigner(keccak256(toHex("bench-risk-peer")));
  const domain = { chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000aa" as const };
  const market = new SimulatedLendingMarket({
    protocolId: "bench",
    asset: { address: "0x00000000000000000000000000000000000000C0", symbol: "USDC", decimals: 6 },
    deposits: 1_000_000_000n,
    borrows: 930_000_000n,
    bufferBps: 1000,
    rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
    priceUsd8: 100_000_000n,
    now: () => 0,
  });
  const state = await market.snapshot();
  const prices = createPriceWindow(48);
  for (let h = 0; h < 48; h++)
    observePrice(prices, h * 3600, BigInt(Math.round(3000e8 * (1 - 0.004 * h + 0.01 * Math.sin(h)))));
  const neighbours = Array.from({ length: 8 }, (_, i) => ({ probabilityPpm: 50_000 * i, weight: 1 + i }));
  const detector = createRuleDetector();
  const t = DEFAULT_ALERT_THRESHOLDS;
  const registered = new Set([signer.address, peer.address]);
  const alerts: RiskAlert[] = Array.from({ length: 64 }, (_, i) => ({
    level: 1 + (i % 3),
    evidenceHash: keccak256(toHex(`evidence-${i}`)),
    issuedAt: 1_700_000_000n + BigInt(i),
    expiresAt: 1_700_003_600n + BigInt(i),
  }));
  const ids = alerts.map((a) => hashRiskAlert(domain, a));

  // The model's inputs: protocol 0 (a vault) of a ring-contagion run through its crisis, its peers'
  // books as published at each step; the timestamps move on so every observation is new.
  progress("risk-loop: recording a ring-contagion run for the model detector");
  const run = await recordRun({ family: "ring-contagion", seed: 5, cutHours: 48 });
  const modelDetector = createModelDetector();
  const publishers = run.ids.map((id) => createModelFeatureBuilder(id));
  const peerBooks = run.seen.map((step) => {
    const books = new Map<string, RiskBook>();
    step.forEach(({ state: s, book }, p) => {
      books.set(run.ids[p]!, publishers[p]!.observeOwn(s, book));
    });
    books.delete(run.ids[0]!);
    return books;
  });
  const builder = createModelFeatureBuilder(run.ids[0]!);
  const observed = new Float32Array(CONTAGION_FEATURES.length);
  const stepsRecorded = run.seen.length;
  const modelEstimate = (i: number): ContagionView[] => {
    const t = i % stepsRecorded;
    const { state: s, book } = run.seen[t]![0]!;
    const shifted = { ...s, timestamp: s.timestamp + Math.floor(i / stepsRecorded) * stepsRecorded * 3600 };
    builder.observeOwn(shifted, book);
    const features = computeRiskFeatures({ state: s, prices, neighbours });
    return modelDetector.estimate(features, builder.features(peerBooks[t]!, observed));
  };
  const ruleEstimate = () => detector.estimate(computeRiskFeatures({ state, prices, neighbours }));

  const decide = (i: number, sign: boolean, estimate: (i: number) => ContagionView[] = ruleEstimate) => {
    const estimates = estimate(i).map(toEstimatePpm);
    const e = estimateAt(estimates, t.horizonHours);
    const level = proposedLevel(e, t);
    const k = i % alerts.length;
    const tally = new AlertTally({ isRegistered: (a) => registered.has(a), quorum: 2 });
    tally.propose({ id: ids[k]!, alert: alerts[k]!, proposer: peer.address }, "0x00");
    const approve = approvesLevel(e, alerts[k]!.level, t);
    const signature =
      sign && approve ? signRiskAlert(domain, alerts[k]!, signer).signature : ("0x01" as const);
    tally.vote(ids[k]!, signer.address, { approve: true, signature });
    return level + (tally.status(ids[k]!)!.held ? 1 : 0);
  };
  progress("risk-loop: warm-up");
  time(500, (i) => decide(i, true));
  time(500, (i) => decide(i, true, modelEstimate));
  progress(`risk-loop: ${n} decisions with the vote's signature, ${n} without, ${n} bare signatures`);
  const withSig = summarize(time(n, (i) => decide(i, true)));
  const noSig = summarize(time(n, (i) => decide(i, false)));
  const bareSign = summarize(time(n, (i) => signRiskAlert(domain, alerts[i % alerts.length]!, signer)));
  progress(`risk-loop: ${n} decisions with the contagion-model detector, ${n} without the signature`);
  const model = summarize(time(n, (i) => decide(i, true, modelEstimate)));
  const modelNoSig = summarize(time(n, (i) => decide(i, false, modelEstimate)));
  const modelFeatures = summarize(time(n, (i) => modelEstimate(i)));
  return {
    decisionUs: withSig,
    /** The same decision with the contagion-model detector (features from book + 14 peers' books). */
    modelDecisionUs: model,
    modelDecisionWithoutSignatureUs: modelNoSig,
    /** The model detector's part alone: observation building and three ensembles. */
    modelEstimateUs: modelFeatures,
    modelPass: model.p99 < TARGET_P99_US,
    decisionWithoutSignatureUs: noSig,
    baselineSignatureUs: bareSign,
    targetP99Us: TARGET_P99_US,
    pass: withSig.p99 < TARGET_P99_US,
    /** How much of a decision is the signature (median over median). */
    signatureShare: bareSign.median / withSig.median,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const result = rounded({
    schema: "liquidity-negotiation/bench/risk-loop/v1",
    machine: machineInfo(),
    at: new Date().toISOString(),
    ...(await benchRiskLoop({ quick: values.quick ?? false })),
  });
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "risk-loop.json"), `${formatJson(result)}\n`);
  const r = result;
  process.stdout.write(
    [
      "risk-loop decision (features + detector + vote), microseconds",
      `  decision p50 ${r.decisionUs.median}  p99 ${r.decisionUs.p99}  (target p99 < ${TARGET_P99_US}: ${r.pass ? "PASS" : "MISS"})`,
      `  without the vote signature p50 ${r.decisionWithoutSignatureUs.median}  p99 ${r.decisionWithoutSignatureUs.p99}`,
      `  contagion-model decision p50 ${r.modelDecisionUs.median}  p99 ${r.modelDecisionUs.p99}  (target p99 < ${TARGET_P99_US}: ${r.modelPass ? "PASS" : "MISS"})`,
      `  contagion-model without the vote signature p50 ${r.modelDecisionWithoutSignatureUs.median}  p99 ${r.modelDecisionWithoutSignatureUs.p99}`,
      `  contagion-model observation + 3 ensembles alone p50 ${r.modelEstimateUs.median}  p99 ${r.modelEstimateUs.p99}`,
      `  baseline: one alert signature p50 ${r.baselineSignatureUs.median}  p99 ${r.baselineSignatureUs.p99}`,
      "",
    ].join("\n"),
  );
}
