/** The constant classifier: every row gets the training base rate (scikit-learn's DummyClassifier "prior"). */
import { ModelInputError } from "../errors.ts";
import type { FitParameters, ProbabilisticClassifier } from "./estimator.ts";

export function fitDummyPrior({ y }: Pick<FitParameters, "y">): ProbabilisticClassifier & { prior: number } {
  if (y.length === 0) throw new ModelInputError("dummy classifier: no training labels.");
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]!;
  const prior = s / y.length;
  return { name: "dummy (prior)", prior, predict: (x) => new Float64Array(x.rows).fill(prior) };
}
