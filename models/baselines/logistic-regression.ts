/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS): exact, deterministic, a
 * few iterations for the ~40 columns we use. The intercept is not penalised. Columns should be
 * standardised so one penalty suits all.
 */
import { ModelInputError } from "../errors.ts";
import type { FeatureMatrix } from "../feature-matrix.ts";
import type { FitParameters, ProbabilisticClassifier } from "./estimator.ts";

export type LogisticRegressionModel = ProbabilisticClassifier & {
  readonly intercept: number;
  readonly coefficients: Float64Array;
  readonly iterations: number;
  /** Log-odds for each row. */
  decision(x: FeatureMatrix): Float64Array;
};

export type FitLogisticRegressionParameters = FitParameters & {
  /** Penalty lambda in  -loglik/n + lambda/2 * |w|^2. */
  l2?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Per-row weights (default 1). */
  weights?: ArrayLike<number>;
};

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves A x = b for symmetric positive definite A (Cholesky), A row-major d x d. */
function solveSpd(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0))
          throw new ModelInputError(
            "logistic regression: Hessian is not positive definite.",
            "Add L2 or drop constant columns.",
          );
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * z[k]!;
    z[i] = s / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * x[k]!;
    x[i] = s / l[i * d + i]!;
  }
  return x;
}

export function fitLogisticRegression({
  x,
  y,
  l2 = 1e-3,
  maxIterations = 50,
  tolerance = 1e-10,
  weights,
}: FitLogisticRegressionParameters): LogisticRegressionModel {
  const n = x.rows;
  const p = x.cols;
  const d = p + 1; // [intercept, w...]
  if (y.length !== n) throw new ModelInputError(`logistic regression: ${n} rows but ${y.length} labels.`);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weights ? weights[i]! : 1;
  const beta = new Float64Array(d);
  let it = 0;
  for (; it < maxIterations; it++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    const xi = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      xi[0] = 1;
      for (let j = 0; j < p; j++) xi[j + 1] = x.values[i * p + j]!;
      let z = 0;
      for (let j = 0; j < d; j++) z += beta[j]! * xi[j]!;
      const mu = sigmoid(z);
      const w = (weights ? weights[i]! : 1) / wsum;
      const r = (mu - y[i]!) * w;
      const h = mu * (1 - mu) * w;
      for (let a = 0; a < d; a++) {
        grad[a]! += r * xi[a]!;
        const ha = h * xi[a]!;
        for (let b = 0; b <= a; b++) hess[a * d + b]! += ha * xi[b]!;
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b * d + a] = hess[a * d + b]!;
    for (let j = 1; j < d; j++) {
      grad[j]! += l2 * beta[j]!;
      hess[j * d + j]! += l2;
    }
    hess[0]! += 1e-12;
    const step = solveSpd(hess, grad, d);
    let maxStep = 0;
    for (let j = 0; j < d; j++) {
      beta[j]! -= step[j]!;
      maxStep = Math.max(maxStep, Math.abs(step[j]!));
    }
    if (maxStep < tolerance) {
      it++;
      break;
    }
  }
  const intercept = beta[0]!;
  const coefficients = beta.slice(1);
  const decision = (m: FeatureMatrix) => {
    if (m.cols !== p)
      throw new ModelInputError(`logistic regression fitted on ${p} columns, given ${m.cols}.`);
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let z = intercept;
      for (let j = 0; j < p; j++) z += coefficients[j]! * m.values[i * p + j]!;
      out[i] = z;
    }
    return out;
  };
  return {
    name: "logistic regression",
    intercept,
    coefficients,
    iterations: it,
    decision,
    predict: (m) => decision(m).map(sigmoid),
  };
}
