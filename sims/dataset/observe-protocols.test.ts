/**
 * No feature uses the future: a run cut short (the same scenario with an earlier horizon) gives
 * the same feature rows for every step both runs share. Labels do look ahead, so they differ.
 */
import { describe, expect, it } from "vitest";
import { findFamily } from "../scenarios/families/catalogue.ts";
import { sampleFamilyJson } from "../scenarios/families/sample-family.ts";
import { parseScenario } from "../scenarios/load-scenario.ts";
import { FEATURE_COLUMNS } from "./columns.ts";
import { generateRun } from "./generate-run.ts";

const engine = { positionsPerLending: 40, tradersPerSide: 8 };

async function fullAndTruncated(familyName: string, seed: number, cutHours: number) {
  const family = findFamily(familyName);
  if (family.kind !== "parametric") throw new Error("expected a parametric family");
  const json = sampleFamilyJson(family.spec, seed);
  const cut = {
    ...json,
    time: { ...json.time, horizonHours: cutHours },
    shocks: (json.shocks ?? []).filter((s) => s.atHours <= cutHours),
  };
  const full = await generateRun({ family, seed, engine, scenario: parseScenario(json) });
  const short = await generateRun({ family, seed, engine, scenario: parseScenario(cut) });
  return { full, short };
}

describe("dataset features are causal", () => {
  it.each([
    ["flash-crash-random", 3, 40],
    ["ring-contagion", 5, 70],
  ])("%s seed %i: truncating at hour %i leaves earlier rows unchanged", async (name, seed, cut) => {
    const { full, short } = await fullAndTruncated(name, seed, cut);
    const n = full.observations.protocols;
    expect(short.rows).toBe((cut + 1) * n);
    // The runs share steps 0..cut; at least one protocol becomes distressed in the shared part,
    // so the comparison covers a crisis, not only calm hours.
    let distressed = 0;
    for (let r = 0; r < short.rows; r++) distressed += full.observations.distressed[r]!;
    expect(distressed).toBeGreaterThan(0);
    FEATURE_COLUMNS.forEach((c, k) => {
      const a = Array.from(full.observations.features[k]!.subarray(0, short.rows));
      const b = Array.from(short.observations.features[k]!);
      expect(b, c.name).toEqual(a);
    });
    expect(Array.from(short.observations.distressed)).toEqual(
      Array.from(full.observations.distressed.subarray(0, short.rows)),
    );
  });

  it("features are finite and the kind one-hots add up to one", async () => {
    const run = await generateRun({ family: findFamily("perp-heavy"), seed: 2, engine });
    for (const f of run.observations.features) for (const v of f) expect(Number.isFinite(v)).toBe(true);
    const k = (name: string) => FEATURE_COLUMNS.findIndex((c) => c.name === name);
    for (let r = 0; r < run.rows; r++) {
      const sum = ["is_lending", "is_amm", "is_perp", "is_vault"].reduce(
        (s, name) => s + run.observations.features[k(name)]![r]!,
        0,
      );
      expect(sum).toBe(1);
    }
  });
});
