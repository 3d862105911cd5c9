/**
 * No feature and no score may use data from after its hour: truncate every input at T (keep only
 * what was known at T) and check that features and scores at hours <= T are unchanged. Runs on
 * the real files around the May 2021 cascade, with the shipped weights.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type MarketInputs, ROLES, readMarketInputs } from "../../datasets/market/roles.ts";
import { HOUR_MS, truncateSeries } from "../../datasets/market/series.ts";
import { trainingFiles } from "../../market/dataset.ts";
import { createMarketScorer } from "../../market/model.ts";
import { SHIPPED_WEIGHTS, WEIGHTS_DIR } from "../../market/paths.ts";
import { readEnsembleFile } from "../../mlp/ensemble-file.ts";
import { haveMarketData, MARKET_DATA_DIR } from "../../testing/market-data.ts";
import { buildMarketFeatures, FEATURE_NAMES } from "./market-features.ts";

describe.skipIf(!haveMarketData)("causality of market features and scores", () => {
  it("truncating all inputs at T leaves every feature and score at or before T unchanged", () => {
    const inputs = readMarketInputs(trainingFiles(MARKET_DATA_DIR));
    const fromMs = Date.UTC(2021, 4, 10);
    const toMs = Date.UTC(2021, 4, 25);
    const full = buildMarketFeatures({ inputs, fromMs, toMs });
    const scorer = createMarketScorer(readEnsembleFile(join(WEIGHTS_DIR, SHIPPED_WEIGHTS)));
    const fullScores = scorer.scoreRows(full.x, full.hoursMs);
    for (const T of [Date.UTC(2021, 4, 12, 7), Date.UTC(2021, 4, 19, 12), Date.UTC(2021, 4, 23, 23)]) {
      const cut = Object.fromEntries(
        ROLES.filter((r) => inputs[r]).map((r) => [r, truncateSeries(inputs[r]!, T)]),
      ) as MarketInputs;
      const part = buildMarketFeatures({ inputs: cut, fromMs, toMs: T });
      const n = (T - fromMs) / HOUR_MS + 1;
      expect(part.x.rows).toBe(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < FEATURE_NAMES.length; j++) {
          const a = full.x.values[i * full.x.cols + j]!;
          const b = part.x.values[i * part.x.cols + j]!;
          if (!Object.is(a, b))
            throw new Error(
              `${FEATURE_NAMES[j]} at ${new Date(fromMs + i * HOUR_MS).toISOString()} changed when inputs were cut at ${new Date(T).toISOString()}: ${a} -> ${b}`,
            );
        }
      const partScores = scorer.scoreRows(part.x, part.hoursMs);
      expect(Array.from(partScores.p)).toEqual(Array.from(fullScores.p.slice(0, n)));
    }
  });

  it("a feature that peeks one hour ahead is caught by the same check", () => {
    const inputs = readMarketInputs({ ethPrice: trainingFiles(MARKET_DATA_DIR).ethPrice });
    const fromMs = Date.UTC(2021, 4, 10);
    const T = Date.UTC(2021, 4, 12);
    // Shift the ETH series one hour earlier: a close "known" before its candle ended.
    const peeking = {
      ethPrice: { ...inputs.ethPrice, knownAtMs: inputs.ethPrice.knownAtMs.map((t) => t - HOUR_MS) },
    };
    const full = buildMarketFeatures({ inputs: peeking, fromMs, toMs: T + 10 * HOUR_MS });
    const part = buildMarketFeatures({
      inputs: { ethPrice: truncateSeries(inputs.ethPrice, T) },
      fromMs,
      toMs: T,
    });
    const j = FEATURE_NAMES.indexOf("eth_ret_1h");
    const n = part.x.rows;
    expect(full.x.values[(n - 1) * full.x.cols + j]).not.toBe(part.x.values[(n - 1) * part.x.cols + j]);
  });
});
