/**
 * The contagion-model voter (alert-votes.ts) on the demo scenario with the shipped model: it votes
 * only from what was observed, as the agents' proposedLevel does, and a quorum it reaches raises an
 * alert whose reason names the model.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_ALERT_THRESHOLDS, proposedLevel } from "../../agents/risk/alert-decision.ts";
import { toEstimatePpm } from "../../agents/risk/contagion-detector.ts";
import { loadContagionDetector } from "../../models/contagion/load-detector.ts";
import { FEATURE_COLUMNS } from "../dataset/columns.ts";
import { createProtocolObserver } from "../dataset/observe-protocols.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { createContagionModelVoter } from "./alert-votes.ts";
import { createBuiltinPolicy } from "./builtin-policy.ts";
import { DEFAULT_SCENARIO } from "./run-contagion-study.ts";
import { runEngine } from "./run-engine.ts";

const model = loadContagionDetector({ horizon: 24 });
const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: "bootstrap" });

describe("contagion-model alert votes", () => {
  it("count, per level, the protocols whose model estimate proposes that level or higher", async () => {
    const voter = createContagionModelVoter({ model });
    const observer = createProtocolObserver(10_000);
    const row = new Float32Array(FEATURE_COLUMNS.length);
    let checked = 0;
    let flagged = 0;
    await runEngine({
      scenario,
      seed: 1,
      onObserve: (o) => {
        // Before this step is observed the voter knows only the previous one: same as ours.
        const before = voter.votes(o.world);
        if (o.step === 0) expect(before.every((v) => v === 0)).toBe(true);
        voter.observe(o);
        observer.observe(o);
        const levels: number[] = [];
        for (let i = 0; i < o.world.protocolCount; i++) {
          observer.latest(i, row);
          const s = model(row);
          const e = toEstimatePpm({ horizonHours: 24, probability: s.p, low: s.pLow, high: s.pHigh });
          levels.push(proposedLevel(e, DEFAULT_ALERT_THRESHOLDS));
        }
        const expected = DEFAULT_ALERT_THRESHOLDS.proposePpm.map(
          (_, l) => levels.filter((x) => x >= l + 1).length,
        );
        expect(voter.votes(o.world)).toEqual(expected);
        checked++;
        flagged += expected[0]!;
      },
    });
    expect(checked).toBeGreaterThan(90);
    // The demo's failing protocols are flagged at some point: the voter is not silent.
    expect(flagged).toBeGreaterThan(0);
  });

  it("raises an alert the model's voters agree on, and says so", async () => {
    const policy = createBuiltinPolicy({
      negotiation: false,
      derisking: true,
      detector: "contagion-model",
      contagionModel: model,
      quorumShare: 0.2,
    });
    const run = await runEngine({ scenario, seed: 1, policy });
    const alerts = run.events.filter((e) => e.type === "alert");
    expect(alerts.length).toBeGreaterThan(0);
    expect(JSON.stringify(alerts[0])).toContain("contagion model");
  });
});
