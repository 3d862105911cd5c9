import { BaseError } from "../../core/errors.ts";

/** A network handed to a contagion model is malformed (sizes, signs, self-loans...). */
export class InvalidNetworkError extends BaseError {
  override name = "InvalidNetworkError";
  override readonly code = "InvalidNetwork";
  readonly field: string;

  constructor({ field, problem, hint }: { field: string; problem: string; hint?: string }) {
    super(`${field}: ${problem}`, hint === undefined ? {} : { metaMessages: [hint] });
    this.field = field;
  }
}

/** An iterative solver ran out of iterations before reaching its tolerance. */
export class DidNotConvergeError extends BaseError {
  override name = "DidNotConvergeError";
  override readonly code = "DidNotConverge";

  constructor({ solver, iterations, residual }: { solver: string; iterations: number; residual: number }) {
    super(`${solver} did not converge within ${iterations} iterations (last step ${residual})`, {
      metaMessages: ["Raise maxIterations, loosen tolerance, or use the exact fictitious-default method."],
    });
  }
}
