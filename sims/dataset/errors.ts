import { BaseError } from "../../core/errors.ts";

/** Dataset options failed validation; the message names the field. */
export class DatasetOptionsError extends BaseError {
  override name = "DatasetOptionsError";
  override readonly code = "DatasetOptionsInvalid";
  constructor({ field, problem, hint }: { field: string; problem: string; hint?: string | undefined }) {
    super(`${field}: ${problem}`, { metaMessages: hint ? [hint] : [] });
  }
}

/** Generation failed. */
export class DatasetError extends BaseError {
  override name = "DatasetError";
  override readonly code = "Dataset";
  constructor({ problem, cause }: { problem: string; cause?: unknown }) {
    super(problem, { cause });
  }
}
