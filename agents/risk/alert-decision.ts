/**
 * When to propose an alert and how to vote, from one agent's own estimate. Thresholds move with
 * the estimate's uncertainty: the probability used is the estimate shifted towards its band's
 * edge by `uncertaintyWeight` (a wide band makes a proposer more cautious, since it must see the
 * risk even after the penalty, and a voter more willing to hold an alert once risk is plausible).
 * Voting uses lower thresholds than proposing (hysteresis): an alert needs a clear signal to
 * start and a fading one to end.
 */
import type { ContagionEstimate } from "../../negotiation/risk/risk-schemas.ts";

export type AlertThresholds = {
  /** Probability (ppm, at `horizonHours`) from which each level is proposed, ascending; index 0 is level 1. */
  proposePpm: readonly number[];
  /** Probability from which a peer's proposal of each level is approved (at most proposePpm). */
  holdPpm: readonly number[];
  /** 0 = use the point estimate; 1 = the band's lower edge to propose, its upper edge to vote. */
  uncertaintyWeight: number;
  /** The horizon the thresholds read. */
  horizonHours: number;
};

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  proposePpm: [300_000, 500_000, 700_000],
  holdPpm: [200_000, 350_000, 550_000],
  uncertaintyWeight: 0.5,
  horizonHours: 24,
};

export function estimateAt(estimates: readonly ContagionEstimate[], horizonHours: number): ContagionEstimate {
  return estimates.find((e) => e.horizonHours === horizonHours) ?? estimates[estimates.length - 1]!;
}

const levelAt = (ppm: number, thresholds: readonly number[]) => {
  let level = 0;
  for (let i = 0; i < thresholds.length; i++) if (ppm >= thresholds[i]!) level = i + 1;
  return level;
};

/** The level this agent would propose (0: none). */
export function proposedLevel(e: ContagionEstimate, t: AlertThresholds): number {
  const cautious = e.probabilityPpm - t.uncertaintyWeight * (e.probabilityPpm - e.lowPpm);
  return levelAt(cautious, t.proposePpm);
}

/** Whether this agent approves a proposal of `level`. */
export function approvesLevel(e: ContagionEstimate, level: number, t: AlertThresholds): boolean {
  if (level < 1) return false;
  const plausible = e.probabilityPpm + t.uncertaintyWeight * (e.highPpm - e.probabilityPpm);
  return levelAt(plausible, t.holdPpm) >= level;
}
