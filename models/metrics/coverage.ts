/** Empirical coverage of intervals: the share of targets inside [lower, upper] (inclusive). */
import { ModelInputError } from "../errors.ts";

export type IntervalCoverageParameters = {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  target: ArrayLike<number>;
};

export type IntervalCoverageReturnType = { coverage: number; meanWidth: number; n: number };

export function intervalCoverage({
  lower,
  upper,
  target,
}: IntervalCoverageParameters): IntervalCoverageReturnType {
  const n = target.length;
  if (lower.length !== n || upper.length !== n)
    throw new ModelInputError(
      `interval coverage: ${lower.length} lower, ${upper.length} upper, ${n} targets.`,
    );
  if (n === 0) throw new ModelInputError("interval coverage of no targets.");
  let inside = 0;
  let width = 0;
  for (let i = 0; i < n; i++) {
    const lo = lower[i]!;
    const hi = upper[i]!;
    if (!(lo <= hi)) throw new ModelInputError(`interval ${i} is [${lo}, ${hi}].`);
    if (target[i]! >= lo && target[i]! <= hi) inside++;
    width += hi - lo;
  }
  return { coverage: inside / n, meanWidth: width / n, n };
}
