/** The base class of every arbiter revert error (arbitration/errors.ts, arbitration/margin-errors.ts),
 *  in its own module so both can extend it without an import cycle. */
import { BaseError } from "../core/errors.ts";

export type ArbiterRevertErrorParameters = {
  errorName: string;
  args?: readonly unknown[] | undefined;
  metaMessages?: string[] | undefined;
  cause?: unknown;
};

/** A call to the arbiter reverted. Subclasses name the specific reason. */
export class ArbiterRevertError extends BaseError {
  override name = "ArbiterRevertError";
  override readonly code: string;
  /** Solidity error name, e.g. "Expired"; "Error" for require strings, "Panic" for panics. */
  readonly errorName: string;
  readonly args: readonly unknown[];

  constructor(shortMessage: string, params: ArbiterRevertErrorParameters) {
    super(shortMessage, { metaMessages: params.metaMessages, cause: params.cause });
    this.errorName = params.errorName;
    this.code = params.errorName;
    this.args = params.args ?? [];
  }
}
