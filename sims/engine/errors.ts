import { BaseError } from "../../core/errors.ts";

/** A scenario cannot be instantiated by the engine; `field` names what is wrong. */
export class EngineSetupError extends BaseError {
  override name = "EngineSetupError";
  override readonly code = "EngineSetup";
  readonly field: string;

  constructor({ field, problem, hint }: { field: string; problem: string; hint?: string }) {
    super(`${field}: ${problem}`, hint === undefined ? {} : { metaMessages: [hint] });
    this.field = field;
  }
}

/** A command-line option is missing or malformed; the message names the option. */
export class UsageError extends BaseError {
  override name = "UsageError";
  override readonly code = "Usage";

  constructor(message: string, hint?: string) {
    super(message, { metaMessages: [hint ?? "Run with --help to see every option."] });
  }
}
