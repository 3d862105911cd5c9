import { ArbiterRevertError } from "../../arbitration/errors-base.ts";

/**
 * A ledger call was refused, for the same reason the LiquidityArbiter contract would revert.
 * `reason` is the contract's custom error name ("Expired", "InvalidSignature", ...) or, for
 * token moves, the OpenZeppelin ERC-20 error name ("ERC20InsufficientBalance"); `args` are the
 * error's arguments in the contract's order. Nothing changed. The chain backend throws it too,
 * with the contract's decoded revert as `cause`, so a policy handles both backends alike. It is an
 * ArbiterRevertError (the contract's logic refused), so a shipped agent settling through the
 * simulator's ports gives up on a refused agreement as it does on chain, instead of retrying it
 * as if the node had been unreachable.
 */
export class LedgerRevertError extends ArbiterRevertError {
  override name = "LedgerRevertError";
  readonly reason: string;

  constructor(
    reason: string,
    args: readonly unknown[] = [],
    { hint, cause }: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    super(`settlement refused: ${reason}(${args.map(String).join(", ")})`, {
      errorName: reason,
      args,
      ...(hint ? { metaMessages: [hint] } : {}),
      cause,
    });
    this.reason = reason;
  }
}
