/** The herding study's table rows (text page, HTML page and the main study report share them). */
import type { HerdingStudy } from "./run-herding.ts";

const usd = (x: number) => `${x < 0 ? "-" : "+"}$${(Math.abs(x) / 1e6).toFixed(2)}M`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const HERDING_HEADER = [
  "variant",
  "runs de-risked",
  "synchrony",
  "extra liquidations",
  "extra insolvent debt",
  "extra depositors' losses",
  "price impact",
];

export function herdingRows(study: HerdingStudy): string[][] {
  return study.summary
    .filter((s) => s.variant !== "off")
    .map((s) => [
      s.variant,
      `${s.runsDerisked}/${s.runs}`,
      s.synchrony.toFixed(2),
      usd(s.extraLiquidationsUsd),
      usd(s.extraInsolventDebtUsd),
      usd(s.extraDepositorLossUsd),
      pct(s.priceImpact),
    ]);
}
