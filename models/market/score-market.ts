/**
 * `score-market`: read a manifest of role files (any period, any of the folder's layouts), build
 * the features for every hour the ETH price covers, and write `hour_utc,p,p_low,p_high` with the
 * shipped weights (fast path). Missing optional roles score through the masks the model was
 * trained with; the first week of a file is a warm-up (shorter windows), reported, not hidden.
 */
import { writeFileSync } from "node:fs";
import { loadManifest } from "../datasets/market/manifest.ts";
import { HOUR_MS } from "../datasets/market/series.ts";
import { NonFiniteScoreError } from "../errors.ts";
import {
  buildMarketFeatures,
  coveredHours,
  LOOKBACK_HOURS,
  OPTIONAL_GROUPS,
} from "../features/market/market-features.ts";
import { readEnsembleFile } from "../mlp/ensemble-file.ts";
import { createMarketScorer } from "./model.ts";

export type ScoreMarketParameters = { manifest: string; weights: string; out: string };

export type ScoreMarketReturnType = {
  rows: number;
  from: string;
  to: string;
  warmupHours: number;
  rolesGiven: string[];
  /** Share of hours each optional feature group was present. */
  presentShare: Record<string, number>;
  meanP: number;
  maxP: { hour: string; p: number };
};

export const hourUtc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

export function scoreMarket({ manifest, weights, out }: ScoreMarketParameters): ScoreMarketReturnType {
  const { inputs, files } = loadManifest(manifest);
  const scorer = createMarketScorer(readEnsembleFile(weights), weights);
  const { fromMs, toMs } = coveredHours(inputs);
  const f = buildMarketFeatures({ inputs, fromMs, toMs });
  const s = scorer.scoreRows(f.x, f.hoursMs);
  const lines = ["hour_utc,p,p_low,p_high"];
  let sum = 0;
  let best = { hour: "", p: -1 };
  for (let i = 0; i < f.x.rows; i++) {
    for (const [what, v] of [
      ["p", s.p[i]!],
      ["p_low", s.pLow[i]!],
      ["p_high", s.pHigh[i]!],
    ] as const)
      if (!(v >= 0 && v <= 1)) throw new NonFiniteScoreError({ what, index: i, value: v });
    lines.push(
      `${hourUtc(f.hoursMs[i]!)},${s.p[i]!.toPrecision(6)},${s.pLow[i]!.toPrecision(6)},${s.pHigh[i]!.toPrecision(6)}`,
    );
    sum += s.p[i]!;
    if (s.p[i]! > best.p) best = { hour: hourUtc(f.hoursMs[i]!), p: s.p[i]! };
  }
  writeFileSync(out, `${lines.join("\n")}\n`);
  const presentShare: Record<string, number> = {};
  for (const g of OPTIONAL_GROUPS) presentShare[g] = f.present[g].reduce((a, b) => a + b, 0) / f.x.rows;
  return {
    rows: f.x.rows,
    from: hourUtc(fromMs),
    to: hourUtc(toMs),
    warmupHours: Math.min(
      f.x.rows,
      LOOKBACK_HOURS - 1 - Math.max(0, (fromMs - inputs.ethPrice.knownAtMs[0]!) / HOUR_MS),
    ),
    rolesGiven: Object.keys(files),
    presentShare,
    meanP: sum / f.x.rows,
    maxP: best,
  };
}
