/**
 * The contagion model's inputs as a deployed agent builds them (agents/risk/model-features.ts:
 * its adapter's book and prices, its peers' published books) equal the simulator dataset's
 * features (sims/dataset/observe-protocols.ts, what the model was trained on) for the same
 * simulated state: a differential test over small engine runs through a crisis, every protocol,
 * every step, every feature. Peers' books cross the wire as the snapshot schema's integers (whole
 * USD, ppm), hence the small tolerance. And a truncation test: an agent's features at a step do
 * not change when the run is cut short after it (no future data).
 */
import { describe, expect, it } from "vitest";
import { createModelFeatureBuilder } from "../agents/risk/model-features.ts";
import { CONTAGION_FEATURES } from "../models/contagion/features.ts";
import { loadContagionDetector } from "../models/contagion/load-detector.ts";
import { type RiskBook, RiskBookSchema } from "../negotiation/risk/risk-schemas.ts";
import { recordRun } from "../sims/engine/testing/recorded-books.ts";

/** Runs the scenario; returns the dataset's feature rows and each agent's, step by step. */
async function run(family: string, seed: number, cutHours?: number) {
  const rec = await recordRun({ family, seed, cutHours });
  const { ids, dataset } = rec;
  const n = dataset.protocols;
  const builders = ids.map((id) => createModelFeatureBuilder(id));
  const agent: Float32Array[][] = [];
  for (const step of rec.seen) {
    // Each agent reads its own book and publishes it; peers decode the wire form.
    const published = new Map<string, RiskBook>();
    step.forEach(({ state, book }, p) => {
      const wire = JSON.parse(JSON.stringify(builders[p]!.observeOwn(state, book)));
      published.set(ids[p]!, RiskBookSchema.parse(wire));
    });
    agent.push(ids.map((id, p) => builders[p]!.features(new Map([...published].filter(([k]) => k !== id)))));
  }
  const row = (t: number, p: number) => Float32Array.from(dataset.features, (f) => f[t * n + p]!);
  return { n, steps: rec.steps, agent, row, distressed: dataset.distressed };
}

/** Whole-dollar and ppm rounding of peers' books; float32 storage of the dataset. */
const close = (a: number, b: number) => Math.abs(a - b) <= 2e-5 + 1e-5 * Math.abs(b);

describe("the deployed agent's contagion-model features", () => {
  it.each([
    ["ring-contagion", 5],
    ["perp-heavy", 2],
  ])("equal the dataset's for %s seed %i (every protocol, step and feature)", async (family, seed) => {
    const r = await run(family, seed);
    let compared = 0;
    let distressed = 0;
    const nonZero = new Set<string>();
    for (let t = 0; t <= r.steps; t++)
      for (let p = 0; p < r.n; p++) {
        const want = r.row(t, p);
        const got = r.agent[t]![p]!;
        CONTAGION_FEATURES.forEach((name, k) => {
          if (!close(got[k]!, want[k]!))
            expect.fail(`${name} at step ${t}, protocol ${p}: agent ${got[k]}, dataset ${want[k]}`);
          if (want[k] !== 0) nonZero.add(name);
          compared++;
        });
        distressed += r.distressed[t * r.n + p]!;
      }
    expect(compared).toBe((r.steps + 1) * r.n * CONTAGION_FEATURES.length);
    // A crisis, not only calm hours: protocols distressed, and the neighbour/system features move.
    expect(distressed).toBeGreaterThan(0);
    for (const name of ["neighbour_stress", "system_debtrank", "exposed_vol_24h", "market_return_24h"])
      expect(nonZero.has(name), name).toBe(true);
  });

  it("give the shipped model the dataset's scores", async () => {
    const r = await run("ring-contagion", 5);
    const model = loadContagionDetector({ horizon: 24 });
    let worst = 0;
    for (let t = 0; t <= r.steps; t++)
      for (let p = 0; p < r.n; p++)
        worst = Math.max(worst, Math.abs(model(r.agent[t]![p]!).p - model(r.row(t, p)).p));
    expect(worst).toBeLessThan(1e-3);
  });

  it("use no future data: a run cut at hour 40 gives the same features up to it", async () => {
    const full = await run("flash-crash-random", 3);
    const short = await run("flash-crash-random", 3, 40);
    expect(short.steps).toBe(40);
    for (let t = 0; t <= short.steps; t++)
      for (let p = 0; p < short.n; p++)
        expect(Array.from(short.agent[t]![p]!)).toEqual(Array.from(full.agent[t]![p]!));
  });
});
