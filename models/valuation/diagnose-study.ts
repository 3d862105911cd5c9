/**
 * Why the model-driven lender lends or stays out in the study: every lending decision's estimate,
 * floor and haircut against the RFQ's cap and the collateral it offers, summarised as medians.
 *   npx tsx models/valuation/diagnose-study.ts [--scenario NAME] [--seeds N]
 */
import { parseArgs } from "node:util";
import { runContagionStudy } from "../../sims/engine/run-contagion-study.ts";

const { values } = parseArgs({ options: { scenario: { type: "string" }, seeds: { type: "string" } } });
const floors: number[] = [];
const caps: number[] = [];
const haircuts: number[] = [];
const lossHigh: number[] = [];
const lossExpected: number[] = [];
const shortfall: number[] = [];
let priceable = 0;
await runContagionStudy({
  ...(values.scenario ? { scenario: values.scenario } : {}),
  seeds: Number(values.seeds ?? 3),
  modes: ["negotiation"],
  settlement: "ledger",
  lending: "model-driven",
  onValuation: (rfq, estimate, terms) => {
    floors.push(terms.reservationRateBps);
    caps.push(rfq.maxRateBps);
    haircuts.push(terms.haircutBps);
    lossHigh.push(estimate.loss.high);
    lossExpected.push(estimate.loss.expected);
    shortfall.push(estimate.shortfall.p);
    if (terms.reservationRateBps <= rfq.maxRateBps) priceable++;
  },
});
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
};
console.log(
  JSON.stringify({
    decisions: floors.length,
    floorAtOrBelowCap: priceable,
    medians: {
      capBps: median(caps),
      floorBps: median(floors),
      haircutBps: median(haircuts),
      shortfallP: median(shortfall),
      lossExpected: median(lossExpected),
      lossHigh: median(lossHigh),
    },
  }),
);
