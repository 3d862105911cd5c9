/**
 * Errors of the EVM adapters. A failed write names the contract function and, when the contract
 * reverted with a custom error, that error; an invalid action says which field was wrong.
 */
import type { Address } from "viem";
import { BaseError } from "../../core/errors.ts";

/** A transaction the adapter sent (a de-risking switch) failed or reverted. */
export class EvmAdapterWriteError extends BaseError {
  override name = "EvmAdapterWriteError";
  override readonly code = "EvmAdapterWrite";
  readonly functionName: string;
  readonly contract: Address;
  /** The Solidity error the contract reverted with, e.g. "OwnableUnauthorizedAccount". */
  readonly errorName: string | undefined;

  constructor(p: {
    functionName: string;
    contract: Address;
    errorName?: string | undefined;
    cause: unknown;
  }) {
    const reason = p.errorName ? `reverted with ${p.errorName}` : "failed";
    super(`${p.functionName} on ${p.contract} ${reason}.`, {
      metaMessages:
        p.errorName === "OwnableUnauthorizedAccount"
          ? ["The adapter's account must own the contract: build the adapter with the owner's wallet client."]
          : ["See the cause for the node's answer."],
      cause: p.cause,
    });
    this.functionName = p.functionName;
    this.contract = p.contract;
    this.errorName = p.errorName;
  }
}

/** An action the adapter cannot carry out as given (e.g. tighten by more than 100%). */
export class EvmAdapterInvalidActionError extends BaseError {
  override name = "EvmAdapterInvalidActionError";
  override readonly code = "EvmAdapterInvalidAction";
  readonly field: string;

  constructor({ action, field, problem }: { action: string; field: string; problem: string }) {
    super(`${action}.${field}: ${problem}`);
    this.field = field;
  }
}
