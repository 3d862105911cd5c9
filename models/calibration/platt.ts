/**
 * Platt scaling: p' = sigmoid(a * logit(p) + b), fitted by logistic regression of the labels on
 * the logit of held-out predictions. Two parameters, so it is safe on few events; it fixes a
 * base-rate shift and over- or under-confidence, not a wrong shape.
 */
import { fitLogisticRegression, sigmoid } from "../baselines/logistic-regression.ts";
import { ModelInputError } from "../errors.ts";
import { createFeatureMatrix } from "../feature-matrix.ts";

export type PlattScaling = { kind: "platt"; a: number; b: number };

const EPS = 1e-6;
export function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

export function fitPlatt({
  probabilities,
  labels,
}: {
  probabilities: ArrayLike<number>;
  labels: ArrayLike<number>;
}): PlattScaling {
  if (probabilities.length !== labels.length) throw new ModelInputError("Platt scaling: lengths differ.");
  const z = Float32Array.from(probabilities as ArrayLike<number>, logit);
  const lr = fitLogisticRegression({
    x: createFeatureMatrix({ rows: z.length, names: ["logit"], values: z }),
    y: labels,
    l2: 0,
  });
  return { kind: "platt", a: lr.coefficients[0]!, b: lr.intercept };
}

/** Applies the map to a logit (the fast path works on logits). */
export function plattOnLogit(s: PlattScaling, z: number): number {
  return sigmoid(s.a * z + s.b);
}

export function applyPlatt(s: PlattScaling, probabilities: ArrayLike<number>): Float64Array {
  return Float64Array.from(probabilities as ArrayLike<number>, (p) => plattOnLogit(s, logit(p)));
}

/**
 * Intercept-only recalibration (slope fixed at 1): p' = sigmoid(logit(p) + b), b by Newton on the
 * mean log-likelihood. It moves the base rate and keeps the model's ranking and confidence
 * scale: the safe fallback when a free slope is not credible.
 */
export function fitPlattIntercept({
  probabilities,
  labels,
}: {
  probabilities: ArrayLike<number>;
  labels: ArrayLike<number>;
}): PlattScaling {
  if (probabilities.length !== labels.length || labels.length === 0)
    throw new ModelInputError("Platt scaling: lengths differ or empty.");
  const z = Float64Array.from(probabilities as ArrayLike<number>, logit);
  let b = 0;
  for (let it = 0; it < 100; it++) {
    let g = 0;
    let h = 0;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(z[i]! + b);
      g += p - labels[i]!;
      h += p * (1 - p);
    }
    const step = g / Math.max(h, 1e-12);
    b -= step;
    if (Math.abs(step) < 1e-12) break;
  }
  return { kind: "platt", a: 1, b };
}
