/**
 * A ContagionDetector for one protocol's agent inside the simulator that sees exactly what the
 * built-in policy's alert voter sees for that protocol (sims/engine/alert-votes.ts, e.g. the
 * drawdown voter fed by the engine's prices and exposures). The voter's level L is emitted as a
 * zero-width estimate at the agents' propose threshold of L, so the risk loop's own decision rules
 * (agents/risk/alert-decision.ts) give back L: it proposes L, and approves a peer's proposal of k
 * exactly when k <= L, which is the voter's "votes for level k or higher". That equality is what
 * lets a differential test compare the agents' alerts with the built-in policy's.
 */
import {
  type AlertThresholds,
  approvesLevel,
  DEFAULT_ALERT_THRESHOLDS,
  proposedLevel,
} from "../../../agents/risk/alert-decision.ts";
import {
  type ContagionDetector,
  type ContagionView,
  toEstimatePpm,
} from "../../../agents/risk/contagion-detector.ts";

export class VoterDetectorSetupError extends Error {
  constructor(
    readonly level: number,
    readonly problem: string,
  ) {
    super(`voter detector: level ${level}: ${problem}`);
    this.name = "VoterDetectorSetupError";
  }
}

/** The probability (ppm) that makes the agents' decisions read `level`: 0 or its propose threshold. */
export function levelProbabilityPpm(level: number, t: AlertThresholds): number {
  return level <= 0 ? 0 : t.proposePpm[Math.min(level, t.proposePpm.length) - 1]!;
}

/** Checks, once, that every level round-trips through the thresholds (proposal and approvals). */
export function checkRoundTrip(t: AlertThresholds): void {
  for (let level = 0; level <= t.proposePpm.length; level++) {
    const ppm = levelProbabilityPpm(level, t);
    const e = { horizonHours: t.horizonHours, probabilityPpm: ppm, lowPpm: ppm, highPpm: ppm };
    if (proposedLevel(e, t) !== level)
      throw new VoterDetectorSetupError(level, "propose thresholds do not round-trip");
    for (let k = 1; k <= t.proposePpm.length; k++)
      if (approvesLevel(e, k, t) !== k <= level)
        throw new VoterDetectorSetupError(
          level,
          `hold threshold of level ${k} does not match its propose threshold`,
        );
  }
}

export function createVoterDetector(p: {
  /** This protocol's level in the voter's view now (0: none). */
  level: () => number;
  thresholds?: AlertThresholds;
  id?: string;
}): ContagionDetector {
  const t = p.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
  checkRoundTrip(t);
  return {
    id: p.id ?? "drawdown-voter",
    estimate(): ContagionView[] {
      const q = levelProbabilityPpm(p.level(), t) / 1e6;
      return [{ horizonHours: t.horizonHours, probability: q, low: q, high: q }];
    },
  };
}

/** The level an agent's decision rules read from this detector's estimate (for tests and checks). */
export function decidedLevel(d: ContagionDetector, t: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): number {
  const views = d.estimate({ coverBps: 0, volatilityBps: 0, drawdownBps: 0, neighbourStressBps: 0 });
  const v = views.find((x) => x.horizonHours === t.horizonHours) ?? views[views.length - 1]!;
  return proposedLevel(toEstimatePpm(v), t);
}
