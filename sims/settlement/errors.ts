import { BaseError } from "../../core/errors.ts";

/** The chain and the engine's books disagree (a transfer the engine cannot book, a payer that is
 *  not a protocol of the run). A bug, not a refusal: the run stops. */
export class SettlementDivergedError extends BaseError {
  override name = "SettlementDivergedError";
  override readonly code = "SettlementDiverged";
  constructor(problem: string, cause?: unknown) {
    super(`chain settlement diverged from the engine: ${problem}`, {
      metaMessages: [
        "Please report this with the scenario, seed and mode; `--settlement ledger` runs without the chain.",
      ],
      cause,
    });
  }
}

/** The chain backend could not be set up: no anvil, or an RPC that is not an anvil dev node. */
export class ChainBackendError extends BaseError {
  override name = "ChainBackendError";
  override readonly code = "ChainBackend";
  constructor(problem: string, { hints = [], cause }: { hints?: string[]; cause?: unknown } = {}) {
    super(`chain settlement: ${problem}`, { metaMessages: hints, cause });
  }
}
