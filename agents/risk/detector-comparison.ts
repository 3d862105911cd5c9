/**
 * `npx tsx agents/risk/detector-comparison.ts [--seeds 1..3]`: the rule and the contagion-model
 * detectors as deployed agents run them, on the same simulated runs of the model's held-out test
 * families (models/contagion/MODEL_CARD.md), scored against the dataset's 24 h labels (rows
 * already distressed or censored left out, as in training). Each protocol's agent sees what its
 * risk loop would: the rule detector its adapter state, the window of its first oracle price and
 * its peers' own stress (equal weights, the default); the model its book and its peers' books.
 * Reports AUROC, AUPRC and, at the agents' default thresholds, how often each would propose an
 * alert on rows with and without an event ahead: the evidence for the operator's default detector.
 */
import { parseArgs } from "node:util";
import { averagePrecision, baseRate } from "../../models/metrics/precision-recall.ts";
import { auroc } from "../../models/metrics/roc.ts";
import type { RiskBook } from "../../negotiation/risk/risk-schemas.ts";
import { HORIZONS_HOURS } from "../../sims/dataset/columns.ts";
import { labelFuture } from "../../sims/dataset/label-future.ts";
import { recordRun } from "../../sims/engine/testing/recorded-books.ts";
import { DEFAULT_ALERT_THRESHOLDS, estimateAt, proposedLevel } from "./alert-decision.ts";
import { type ContagionDetector, toEstimatePpm } from "./contagion-detector.ts";
import { createModelDetector } from "./model-detector.ts";
import { createModelFeatureBuilder } from "./model-features.ts";
import { computeRiskFeatures, createPriceWindow, observePrice } from "./risk-features.ts";
import { createRuleDetector } from "./rule-detector.ts";

export const TEST_FAMILIES = ["ring-contagion", "thin-markets", "perp-heavy", "slow-bleed-random"] as const;

type Scored = { scores: number[]; proposes: number[] };
export type DetectorFigures = {
  auroc: number;
  auprc: number;
  /** Share of rows with an event within 24 h on which the agent would propose (any level). */
  proposeOnEvents: number;
  /** Share of rows without one on which it would propose (false alarms). */
  proposeOnCalm: number;
};

const H = DEFAULT_ALERT_THRESHOLDS.horizonHours;
const at24 = (d: ContagionDetector, f: Parameters<ContagionDetector["estimate"]>) =>
  estimateAt(d.estimate(...f).map(toEstimatePpm), H);

async function scoreRun(
  family: string,
  seed: number,
  labels: number[],
  out: { rule: Scored; model: Scored },
) {
  const run = await recordRun({ family, seed });
  const lab = labelFuture(run.dataset, run.stepHours);
  const h = HORIZONS_HOURS.indexOf(H as (typeof HORIZONS_HOURS)[number]);
  const n = run.ids.length;
  const rule = createRuleDetector();
  const model = createModelDetector();
  const builders = run.ids.map((id) => createModelFeatureBuilder(id));
  const windows = run.ids.map(() => createPriceWindow());
  run.seen.forEach((step, t) => {
    const books = new Map<string, RiskBook>();
    step.forEach(({ state, book }, p) => {
      books.set(run.ids[p]!, builders[p]!.observeOwn(state, book));
      const price = state.prices[0];
      if (price) observePrice(windows[p]!, state.timestamp, price.usd8);
    });
    // Rule agents hear each peer's own stress: its features with the neighbour term zeroed.
    const own = step.map(({ state }, p) =>
      computeRiskFeatures({ state, prices: windows[p]!, neighbours: [] }),
    );
    const ownPpm = own.map((f) => at24(rule, [f]).probabilityPpm);
    step.forEach(({ state }, p) => {
      const row = t * n + p;
      if (lab.distressedNow[row] || lab.censored[h]![row]) return;
      labels.push(lab.event[h]![row]!);
      const neighbours = ownPpm.filter((_, q) => q !== p).map((probabilityPpm) => ({ probabilityPpm }));
      const r = at24(rule, [computeRiskFeatures({ state, prices: windows[p]!, neighbours })]);
      out.rule.scores.push(r.probabilityPpm / 1e6);
      out.rule.proposes.push(proposedLevel(r, DEFAULT_ALERT_THRESHOLDS) > 0 ? 1 : 0);
      const peers = new Map([...books].filter(([k]) => k !== run.ids[p]));
      const summary = own[p]!;
      const m = at24(model, [summary, builders[p]!.features(peers)]);
      out.model.scores.push(m.probabilityPpm / 1e6);
      out.model.proposes.push(proposedLevel(m, DEFAULT_ALERT_THRESHOLDS) > 0 ? 1 : 0);
    });
  });
}

const figures = (s: Scored, labels: number[]): DetectorFigures => {
  let onEvents = 0;
  let events = 0;
  let onCalm = 0;
  labels.forEach((y, i) => {
    if (y) {
      events++;
      onEvents += s.proposes[i]!;
    } else onCalm += s.proposes[i]!;
  });
  return {
    auroc: auroc(s.scores, labels),
    auprc: averagePrecision(s.scores, labels),
    proposeOnEvents: onEvents / Math.max(1, events),
    proposeOnCalm: onCalm / Math.max(1, labels.length - events),
  };
};

export async function compareDetectors(p: { families?: readonly string[]; seeds: readonly number[] }) {
  const labels: number[] = [];
  const out = { rule: { scores: [], proposes: [] } as Scored, model: { scores: [], proposes: [] } as Scored };
  for (const family of p.families ?? TEST_FAMILIES)
    for (const seed of p.seeds) await scoreRun(family, seed, labels, out);
  return {
    rows: labels.length,
    eventShare: baseRate(labels),
    rule: figures(out.rule, labels),
    model: figures(out.model, labels),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seeds: { type: "string", default: "1..3" } } });
  const [a, b] = values.seeds!.split("..").map(Number);
  const seeds = Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  const r = await compareDetectors({ seeds });
  const f = (x: number) => x.toFixed(3);
  process.stdout.write(
    [
      `families ${TEST_FAMILIES.join(", ")}; seeds ${values.seeds}; ${r.rows} rows, ${f(r.eventShare)} with an event within 24 h`,
      "detector         AUROC  AUPRC  proposes on events  proposes on calm",
      ...(["rule", "model"] as const).map(
        (k) =>
          `${k.padEnd(16)} ${f(r[k].auroc)}  ${f(r[k].auprc)}  ${f(r[k].proposeOnEvents).padStart(18)}  ${f(r[k].proposeOnCalm).padStart(16)}`,
      ),
      "",
    ].join("\n"),
  );
}
