/**
 * What every probabilistic classifier in models/ offers (scikit-learn's habit: each model sits
 * beside a dummy, a linear baseline, a tree ensemble and a rule, all behind one interface).
 */
import type { FeatureMatrix } from "../feature-matrix.ts";

export type ProbabilisticClassifier = {
  readonly name: string;
  /** Probability of the positive class for each row. */
  predict(x: FeatureMatrix): Float64Array;
};

export type FitParameters = { x: FeatureMatrix; y: ArrayLike<number>; seed?: number };
