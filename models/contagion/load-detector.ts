/**
 * The shipped contagion detector for a horizon (models/contagion/weights/contagion-<h>h.json), or
 * one from another weights folder: what the agents' risk loop loads.
 */
import { join } from "node:path";
import { readEnsembleFile } from "../mlp/ensemble-file.ts";
import type { ContagionHorizon } from "./features.ts";
import { type ContagionDetector, contagionModelName, createContagionDetector } from "./model.ts";

const SHIPPED = new URL("./weights/", import.meta.url).pathname;

export function loadContagionDetector(
  p: { horizon?: ContagionHorizon | undefined; weightsDir?: string | undefined } = {},
): ContagionDetector {
  const h = p.horizon ?? 24;
  return createContagionDetector(
    readEnsembleFile(join(p.weightsDir ?? SHIPPED, `${contagionModelName(h)}.json`)),
  );
}

/** One detector per member of the shipped ensemble for a horizon: the same recipe and data, each
 *  member trained from its own seed. "Diverse models" for the herding study (sims/herding): agents
 *  that each run one member disagree where the members do. */
export function loadContagionMemberDetectors(
  p: { horizon?: ContagionHorizon | undefined; weightsDir?: string | undefined } = {},
): ContagionDetector[] {
  const ensemble = readEnsembleFile(
    join(p.weightsDir ?? SHIPPED, `${contagionModelName(p.horizon ?? 24)}.json`),
  );
  return ensemble.members.map((m) => createContagionDetector({ ...ensemble, members: [m] }));
}
