/**
 * Why each protocol votes for an alert level in the built-in policy's de-risking, two ways:
 *
 *   drawdown         a protocol votes for level L when an asset it is exposed to has fallen from its
 *                    start by at least the level's drawdown (the first, rule-of-thumb trigger);
 *   contagion-model  the learned early-warning model (models/contagion) scores what the protocol
 *                    observed at the end of the last step (sims/dataset/observe-protocols.ts, the
 *                    very features it was trained on, nothing later), and the protocol votes as the
 *                    deployed agents propose: agents/risk/alert-decision.ts proposedLevel on the
 *                    24 h estimate, uncertainty-weighted, at the agents' thresholds.
 *
 * `votes(world)[L - 1]` is how many protocols vote for level L or higher now.
 */
import { DEFAULT_ALERT_THRESHOLDS, proposedLevel } from "../../agents/risk/alert-decision.ts";
import { toEstimatePpm } from "../../agents/risk/contagion-detector.ts";
import type { ContagionDetector as ContagionModel } from "../../models/contagion/model.ts";
import { FEATURE_COLUMNS } from "../dataset/columns.ts";
import { createProtocolObserver, type ProtocolObserver } from "../dataset/observe-protocols.ts";
import type { StepObservation } from "./run-engine.ts";
import type { World } from "./world.ts";

export const DERISK_DETECTORS = ["drawdown", "contagion-model"] as const;
export type DeriskDetector = (typeof DERISK_DETECTORS)[number];

export type AlertVoter = {
  readonly detector: DeriskDetector;
  observe(o: StepObservation): void;
  /** Protocol i's own vote now: the highest level it votes for (0: none). */
  levels(world: World): number[];
  votes(world: World): number[];
  /** Why the votes are what they are, for the study's event log (default: the worst drawdown). */
  reason?(world: World, level: number): string;
};

/** A protocol's factor on the shared thresholds, in [1 - spread/2, 1 + spread/2], fixed by its index
 *  and `seed`: "diverse models" in the herding study (0 spread: every protocol the same model). */
export function thresholdFactor(i: number, spread: number, seed: number): number {
  if (spread <= 0) return 1;
  let h = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(seed + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return 1 - spread / 2 + (h / 0x1_0000_0000) * spread;
}

export function createDrawdownVoter(p: {
  levels: readonly number[];
  exposure: () => number[][];
  /** Spread of each protocol's thresholds around the shared ones (default 0). */
  spread?: number | undefined;
  spreadSeed?: number | undefined;
}): AlertVoter {
  const spread = p.spread ?? 0;
  const drawdowns = (world: World) =>
    world.assets.map((_, a) => 1 - world.priceFloat[a]! / world.pathFloat[a]![0]!);
  const votesFor = (dd: number[], i: number, level: number) =>
    p
      .exposure()
      [i]!.some((a) => dd[a]! >= p.levels[level - 1]! * thresholdFactor(i, spread, p.spreadSeed ?? 0));
  return {
    detector: "drawdown",
    observe: () => {},
    levels(world) {
      const dd = drawdowns(world);
      return p.exposure().map((_, i) => {
        let level = 0;
        for (let l = 1; l <= p.levels.length; l++) if (votesFor(dd, i, l)) level = l;
        return level;
      });
    },
    votes(world) {
      const dd = drawdowns(world);
      return p.levels.map((_, l) => p.exposure().filter((_, i) => votesFor(dd, i, l + 1)).length);
    },
  };
}

export function createContagionModelVoter(p: {
  /** One model for every protocol, or protocol i's model at `[i % length]` ("diverse models" in
   *  the herding study: ensemble members trained from different seeds). */
  model: ContagionModel | readonly ContagionModel[];
  /** Levels the agents' thresholds define (DEFAULT_ALERT_THRESHOLDS: 3). */
  levels?: number;
}): AlertVoter {
  const thresholds = DEFAULT_ALERT_THRESHOLDS;
  const levels = p.levels ?? thresholds.proposePpm.length;
  let observer: ProtocolObserver | undefined;
  const row = new Float32Array(FEATURE_COLUMNS.length);
  let last: number[] = [];
  const proposals = (world: World): number[] => {
    const out: number[] = [];
    for (let i = 0; i < world.protocolCount; i++) {
      if (!observer?.latest(i, row)) {
        out.push(0);
        continue;
      }
      const s = (typeof p.model === "function" ? p.model : p.model[i % p.model.length]!)(row);
      const estimate = toEstimatePpm({
        horizonHours: thresholds.horizonHours,
        probability: s.p,
        low: s.pLow,
        high: s.pHigh,
      });
      out.push(proposedLevel(estimate, thresholds));
    }
    return out;
  };
  return {
    detector: "contagion-model",
    observe(o) {
      observer ??= createProtocolObserver(o.world.steps);
      observer.observe(o);
    },
    levels: (world) => proposals(world),
    votes(world) {
      last = proposals(world);
      return Array.from({ length: levels }, (_, l) => last.filter((x) => x >= l + 1).length);
    },
    reason(world, level) {
      const voters = last.filter((x) => x >= level).length;
      return `contagion model: ${voters} of ${world.protocolCount} protocols at level ${level} or above`;
    },
  };
}
