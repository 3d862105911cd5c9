/** NaN or infinite features never become a score: a typed error names the feature and hour. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NonFiniteFeatureError } from "../errors.ts";
import { createFeatureMatrix } from "../feature-matrix.ts";
import { FEATURE_NAMES, maskName } from "../features/market/market-features.ts";
import { readEnsembleFile } from "../mlp/ensemble-file.ts";
import { createMarketScorer } from "./model.ts";
import { SHIPPED_WEIGHTS, WEIGHTS_DIR } from "./paths.ts";

const scorer = createMarketScorer(readEnsembleFile(join(WEIGHTS_DIR, SHIPPED_WEIGHTS)));
const j = (name: string) => FEATURE_NAMES.indexOf(name);

function quietRow(): Float32Array {
  // Every group present with its training mean: a valid row.
  const r = Float32Array.from(scorer.ensemble.standardizer.mean);
  for (const n of FEATURE_NAMES) if (n.startsWith("has_")) r[j(n)] = 1;
  return r;
}

describe("market scorer on bad feature values", () => {
  it("scores a valid row to a probability inside its band", () => {
    const s = scorer.scoreRaw(quietRow());
    expect(s.p).toBeGreaterThan(0);
    expect(s.p).toBeLessThan(1);
    expect(s.pLow).toBeLessThanOrEqual(s.p);
    expect(s.pHigh).toBeGreaterThanOrEqual(s.p);
  });
  it("an infinite feature of a present group is an error naming it", () => {
    const r = quietRow();
    r[j("eth_ret_24h")] = Number.POSITIVE_INFINITY;
    expect(() => scorer.scoreRaw(r, "2022-06-13T12:00:00Z")).toThrow(NonFiniteFeatureError);
    expect(() => scorer.scoreRaw(r, "2022-06-13T12:00:00Z")).toThrow(
      /"eth_ret_24h" is Infinity at 2022-06-13T12:00:00Z/,
    );
  });
  it("NaN in a present group is an error; NaN in an absent group (mask 0) is the mean", () => {
    const r = quietRow();
    r[j("usdc_utilization")] = Number.NaN;
    expect(() => scorer.scoreRaw(r)).toThrow(/"usdc_utilization" is NaN/);
    r[j(maskName("aaveUsdc"))] = 0;
    for (const n of [
      "usdc_utilization",
      "usdc_borrow_apr",
      "usdc_utilization_change_24h",
      "usdc_liquidations_24h",
    ])
      r[j(n)] = Number.NaN;
    expect(Number.isFinite(scorer.scoreRaw(r).p)).toBe(true);
  });
  it("the batch path names the hour of the bad row", () => {
    const a = quietRow();
    const b = quietRow();
    b[j("eth_logvol_24h")] = Number.NaN;
    const x = createFeatureMatrix({ rows: 2, names: FEATURE_NAMES, values: Float32Array.from([...a, ...b]) });
    const hours = [Date.UTC(2022, 5, 13, 11), Date.UTC(2022, 5, 13, 12)];
    expect(() => scorer.scoreRows(x, hours)).toThrow(/"eth_logvol_24h" is NaN at 2022-06-13T12:00:00.000Z/);
  });
});
