/**
 * The de-risking settings both policies read the same way: who votes for which alert level
 * (alert-votes.ts, from the study's detector and thresholds) and the defaults of the quorum, the
 * actions' strength and the alerts' life. The built-in policy counts the votes itself; the real
 * agents (agents-policy/agents-risk.ts) each read their own protocol's level and vote over the bus.
 */

import type { ContagionDetector as ContagionModel } from "../../models/contagion/model.ts";
import {
  type AlertVoter,
  createContagionModelVoter,
  createDrawdownVoter,
  type DeriskDetector,
} from "./alert-votes.ts";

export type PolicyVoterParameters = {
  detector?: DeriskDetector | undefined;
  /** One model for all protocols, or one per protocol (cycled). */
  contagionModel?: ContagionModel | readonly ContagionModel[] | undefined;
  alertDrawdowns?: readonly number[] | undefined;
  thresholdSpread?: number | undefined;
  thresholdSpreadSeed?: number | undefined;
};

export function createPolicyVoter(p: PolicyVoterParameters, exposure: () => number[][]): AlertVoter {
  if ((p.detector ?? "drawdown") === "drawdown")
    return createDrawdownVoter({
      levels: p.alertDrawdowns ?? [0.15, 0.3],
      exposure,
      spread: p.thresholdSpread,
      spreadSeed: p.thresholdSpreadSeed,
    });
  if (!p.contagionModel)
    throw new Error('detector "contagion-model" needs a contagionModel (models/contagion).');
  return createContagionModelVoter({ model: p.contagionModel });
}

export function deriskDefaults(p: {
  quorumShare?: number | undefined;
  tightenBps?: { lending: number; perp: number; vault: number } | undefined;
  alertTtlHours?: number | undefined;
}) {
  return {
    quorumShare: p.quorumShare ?? 0.5,
    tightenBps: p.tightenBps ?? { lending: 300, perp: 3000, vault: 200 },
    alertTtlHours: p.alertTtlHours ?? 12,
  };
}
