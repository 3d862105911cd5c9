/**
 * A revert of the contract as the ledger reports it, so a policy handles a refusal the same way
 * on either backend: LedgerRevertError with the contract's error name and arguments (a loan status
 * by name, as the ledger gives it). Anything that is not a revert (network, node) passes through.
 */
import { ArbiterRevertError } from "../../arbitration/errors.ts";
import { loanStatuses } from "../../arbitration/types.ts";
import { LedgerRevertError } from "../ledger/errors.ts";

export function ledgerRevertFromArbiter(error: unknown): unknown {
  if (!(error instanceof ArbiterRevertError) || error instanceof LedgerRevertError) return error;
  const args =
    error.errorName === "NotActive"
      ? [error.args[0], loanStatuses[Number(error.args[1])] ?? "None"]
      : error.args;
  return new LedgerRevertError(error.errorName, args, { cause: error });
}
