import { BaseError } from "../../core/errors.ts";

/**
 * A ledger call was refused, for the same reason the LiquidityArbiter contract would revert.
 * `reason` is the contract's custom error name ("Expired", "InvalidSignature", ...) or, for
 * token moves, the OpenZeppelin ERC-20 error name ("ERC20InsufficientBalance"); `args` are the
 * error's arguments in the contract's order. Nothing changed. The chain backend throws it too,
 * with the contract's decoded revert as `cause`, so a policy handles both backends alike.
 */
export class LedgerRevertError extends BaseError {
  override name = "LedgerRevertError";
  override readonly code: string;
  readonly reason: string;
  readonly args: readonly unknown[];

  constructor(
    reason: string,
    args: readonly unknown[] = [],
    { hint, cause }: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(`settlement refused: ${reason}(${args.map(String).join(", ")})`, {
      ...(hint ? { metaMessages: [hint] } : {}),
      cause,
    });
    this.reason = reason;
    this.code = reason;
    this.args = args;
  }
}
