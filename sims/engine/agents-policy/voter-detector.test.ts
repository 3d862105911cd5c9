import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { approvesLevel, DEFAULT_ALERT_THRESHOLDS } from "../../../agents/risk/alert-decision.ts";
import { toEstimatePpm } from "../../../agents/risk/contagion-detector.ts";
import { loadScenario } from "../../scenarios/load-scenario.ts";
import { createDrawdownVoter } from "../alert-votes.ts";
import { exposedAssets } from "../build-distress.ts";
import { buildWorld, setPricesAt } from "../world.ts";
import { createVoterDetector, decidedLevel, VoterDetectorSetupError } from "./voter-detector.ts";

const demo = loadScenario(fileURLToPath(new URL("../scenarios/contagion-demo.json", import.meta.url)));

describe("voter detector: the agents' decision rules read the built-in drawdown voter's view", () => {
  for (const seed of [1, 2]) {
    it(`demo seed ${seed}: every step, every protocol's level and every level's vote count agree`, () => {
      const world = buildWorld({ scenario: demo, seed, options: { positionsPerLending: 1 } });
      const exposure = world.protocols.map((_, i) => exposedAssets(world, i));
      const voter = createDrawdownVoter({ levels: [0.15, 0.3], exposure: () => exposure });
      const detectors = exposure.map((_, i) => createVoterDetector({ level: () => voter.levels(world)[i]! }));
      let highest = 0;
      for (let step = 0; step < world.steps; step++) {
        world.step = step;
        setPricesAt(world, step);
        const levels = voter.levels(world);
        expect(detectors.map((d) => decidedLevel(d))).toEqual(levels);
        const votes = voter.votes(world);
        for (let k = 1; k <= votes.length; k++) {
          const approving = detectors.filter((d) =>
            approvesLevel(
              toEstimatePpm(
                d.estimate({ coverBps: 0, volatilityBps: 0, drawdownBps: 0, neighbourStressBps: 0 })[0]!,
              ),
              k,
              DEFAULT_ALERT_THRESHOLDS,
            ),
          ).length;
          expect(approving).toBe(votes[k - 1]);
        }
        highest = Math.max(highest, ...levels);
      }
      // The demo's shock must reach level 1 at least, or the comparison says nothing.
      expect(highest).toBeGreaterThanOrEqual(1);
    });
  }

  it("refuses thresholds under which a level would not round-trip", () => {
    const bad = { ...DEFAULT_ALERT_THRESHOLDS, holdPpm: [200_000, 600_000, 650_000] };
    expect(() => createVoterDetector({ level: () => 0, thresholds: bad })).toThrow(VoterDetectorSetupError);
  });
});
