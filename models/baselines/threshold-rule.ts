/**
 * A one-feature rule (here: realised volatility): the score is that feature, and its probability
 * is a one-variable logistic fit on the training rows, so it can be scored for calibration too.
 * Its ranking (AUROC, AUPRC, lead time) is the raw feature's.
 */
import { ModelInputError } from "../errors.ts";
import { createFeatureMatrix, type FeatureMatrix } from "../feature-matrix.ts";
import type { FitParameters, ProbabilisticClassifier } from "./estimator.ts";
import { fitLogisticRegression } from "./logistic-regression.ts";

export type ThresholdRuleModel = ProbabilisticClassifier & {
  column: string;
  slope: number;
  intercept: number;
};

export function fitThresholdRule({
  x,
  y,
  column,
  label,
}: FitParameters & { column: string; label?: string }): ThresholdRuleModel {
  const j = x.names.indexOf(column);
  if (j < 0) throw new ModelInputError(`threshold rule: no column "${column}" (have ${x.names.join(", ")}).`);
  const pick = (m: FeatureMatrix) => {
    const k = m.names.indexOf(column);
    if (k < 0) throw new ModelInputError(`threshold rule: no column "${column}".`);
    const v = new Float32Array(m.rows);
    for (let i = 0; i < m.rows; i++) v[i] = m.values[i * m.cols + k]!;
    return createFeatureMatrix({ rows: m.rows, names: [column], values: v });
  };
  const lr = fitLogisticRegression({ x: pick(x), y, l2: 0 });
  return {
    name: label ?? `rule: ${column}`,
    column,
    slope: lr.coefficients[0]!,
    intercept: lr.intercept,
    predict: (m) => lr.predict(pick(m)),
  };
}
