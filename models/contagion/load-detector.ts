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
