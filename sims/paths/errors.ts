import { BaseError } from "../../core/errors.ts";

/** A price-path parameter is out of range; `field` names it (e.g. "sigma", "keyframes[2].t"). */
export class InvalidPathParameterError extends BaseError {
  override name = "InvalidPathParameterError";
  override readonly code = "InvalidPathParameter";
  readonly field: string;

  constructor({ field, problem }: { field: string; problem: string }) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/** A correlation (or covariance) matrix has no Cholesky factor: it is not positive semi-definite. */
export class NotPositiveSemidefiniteError extends BaseError {
  override name = "NotPositiveSemidefiniteError";
  override readonly code = "NotPositiveSemidefinite";
  /** Index of the pivot that went negative. */
  readonly pivot: number;

  constructor({ pivot, value }: { pivot: number; value: number }) {
    super(`matrix is not positive semi-definite: Cholesky pivot ${pivot} is ${value} (must be >= 0)`, {
      metaMessages: [
        "Some combination of the assets would have negative variance, so no set of paths can have these correlations.",
        "Check the pairwise correlations for consistency (e.g. A~B 0.9, B~C 0.9, A~C -0.9 is impossible).",
      ],
    });
    this.pivot = pivot;
  }
}

export function requireFinite(
  field: string,
  x: number,
  { min = Number.NEGATIVE_INFINITY, positive = false } = {},
): void {
  if (!Number.isFinite(x) || x < min || (positive && x <= 0)) {
    const bound = positive ? "> 0" : min > Number.NEGATIVE_INFINITY ? `>= ${min}` : "finite";
    throw new InvalidPathParameterError({ field, problem: `is ${x}, expected a number ${bound}` });
  }
}

export function requireSteps(steps: number): void {
  if (!Number.isSafeInteger(steps) || steps < 0) {
    throw new InvalidPathParameterError({
      field: "steps",
      problem: `is ${steps}, expected a whole number >= 0`,
    });
  }
}
