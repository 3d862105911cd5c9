/**
 * Why the model-driven lender lends or stays out in the study: every lending decision's estimate,
 * floor and haircut against the RFQ's cap and the collateral it offers, summarised as medians,
 * and where each feature of the study's RFQs sits against the training data (z-score of its
 * median under the model's own standardizer; |z| > 3 is out of distribution).
 *   npx tsx models/valuation/diagnose-study.ts [--scenario NAME] [--seeds N] [--weights FILE]
 */
import { parseArgs } from "node:util";
import { runContagionStudy } from "../../sims/engine/run-contagion-study.ts";
import { buildLoanFeatures, LOAN_FEATURES } from "./loan-features.ts";
import { VALUATION_WEIGHTS } from "./paths.ts";
import { readValuationFile } from "./valuation-model.ts";

const { values } = parseArgs({
  options: { scenario: { type: "string" }, seeds: { type: "string" }, weights: { type: "string" } },
});
const model = readValuationFile(values.weights ?? VALUATION_WEIGHTS);
const floors: number[] = [];
const caps: number[] = [];
const haircuts: number[] = [];
const offered: number[] = [];
const lossHigh: number[] = [];
const lossExpected: number[] = [];
const shortfall: number[] = [];
const features: number[][] = LOAN_FEATURES.map(() => []);
let priceable = 0;
// Decisions where the lender has the cash to lend the whole principal (share <= 1): the only ones
// the rule lender would answer; the others cannot become loans whatever the model says.
const able = {
  decisions: 0,
  shortfall: [] as number[],
  lossExpected: [] as number[],
  lossHigh: [] as number[],
};
let acceptable = 0;
await runContagionStudy({
  ...(values.scenario ? { scenario: values.scenario } : {}),
  seeds: Number(values.seeds ?? 3),
  modes: ["negotiation"],
  settlement: "ledger",
  lending: "model-driven",
  valuationModel: model,
  onValuation: (rfq, estimate, terms, observation) => {
    floors.push(terms.reservationRateBps);
    caps.push(rfq.maxRateBps);
    haircuts.push(terms.haircutBps);
    lossHigh.push(estimate.loss.high);
    lossExpected.push(estimate.loss.expected);
    shortfall.push(estimate.shortfall.p);
    // Collateral the RFQ offers, as a haircut: 1 - principal / collateral value.
    const cover = observation.collateralUsd / Math.max(1, observation.principalUsd);
    offered.push(Math.round(Math.max(0, 1 - 1 / Math.max(cover, 1e-9)) * 10_000));
    if (terms.reservationRateBps <= rfq.maxRateBps) {
      priceable++;
      if (cover > 0 && 1 - 1 / cover >= terms.haircutBps / 10_000) acceptable++;
    }
    const x = buildLoanFeatures(observation);
    if (observation.principalUsd <= observation.lenderFreeUsd) {
      able.decisions++;
      able.shortfall.push(estimate.shortfall.p);
      able.lossExpected.push(estimate.loss.expected);
      able.lossHigh.push(estimate.loss.high);
    }
    for (let j = 0; j < x.length; j++) features[j]!.push(x[j]!);
  },
});
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const { mean, std } = model.shortfall.standardizer;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify(
    {
      decisions: floors.length,
      floorAtOrBelowCap: priceable,
      floorAndHaircutMet: acceptable,
      medians: {
        capBps: median(caps),
        floorBps: median(floors),
        haircutBps: median(haircuts),
        offeredHaircutBps: median(offered),
        shortfallP: round(median(shortfall)),
        lossExpected: round(median(lossExpected)),
        lossHigh: round(median(lossHigh)),
      },
      lenderHasCash: {
        decisions: able.decisions,
        shortfallP: [
          quantile(able.shortfall, 0.1),
          median(able.shortfall),
          quantile(able.shortfall, 0.9),
        ].map((x) => round(x)),
        lossExpected: [
          quantile(able.lossExpected, 0.1),
          median(able.lossExpected),
          quantile(able.lossExpected, 0.9),
        ].map((x) => round(x)),
        lossHigh: [quantile(able.lossHigh, 0.1), median(able.lossHigh), quantile(able.lossHigh, 0.9)].map(
          (x) => round(x),
        ),
      },
      features: Object.fromEntries(
        LOAN_FEATURES.map((name, j) => {
          const xs = features[j]!;
          return [
            name,
            {
              p10: round(quantile(xs, 0.1)),
              median: round(median(xs)),
              p90: round(quantile(xs, 0.9)),
              trainMean: round(mean[j]!),
              trainStd: round(std[j]!),
              zMedian: round((median(xs) - mean[j]!) / std[j]!, 2),
            },
          ];
        }),
      ),
    },
    null,
    2,
  ),
);
