/**
 * The learned contagion model (models/contagion: a calibrated deep ensemble per horizon, over the
 * fast Float32 forward pass) as the risk loop's detector. It reads the model's own observation,
 * which the risk agent builds from its adapter's book and peers' published books
 * (model-features.ts); the four summary features are only published, never scored. One view per
 * shipped horizon (6, 24, 72 h): p and the ensemble's 90% band.
 */

import { CONTAGION_HORIZONS, type ContagionHorizon } from "../../models/contagion/features.ts";
import { loadContagionDetector } from "../../models/contagion/load-detector.ts";
import type { ContagionDetector as ContagionModel } from "../../models/contagion/model.ts";
import { ModelInputError } from "../../models/errors.ts";
import type { ContagionDetector, ContagionView } from "./contagion-detector.ts";

export const MODEL_DETECTOR_ID = "contagion-mlp-v1";

export function createModelDetector(
  p: {
    /** A weights folder other than the shipped one (models/contagion/weights). */
    weightsDir?: string | undefined;
    /** Models per horizon, instead of loading them (tests, other seeds). */
    models?: Partial<Record<ContagionHorizon, ContagionModel>>;
    horizons?: readonly ContagionHorizon[];
  } = {},
): ContagionDetector {
  const horizons = p.horizons ?? CONTAGION_HORIZONS;
  const models = horizons.map(
    (h) => p.models?.[h] ?? loadContagionDetector({ horizon: h, weightsDir: p.weightsDir }),
  );
  return {
    id: MODEL_DETECTOR_ID,
    reads: "book",
    estimate(_features, observed): ContagionView[] {
      if (!observed)
        throw new ModelInputError(
          "contagion-model detector: no model observation (the adapter reports no book)",
          "use the rule detector, or give the adapter a book() (protocol-adapters/book-observation.ts)",
        );
      return horizons.map((h, k) => {
        const s = models[k]!(observed);
        return { horizonHours: h, probability: s.p, low: s.pLow, high: s.pHigh };
      });
    },
  };
}
