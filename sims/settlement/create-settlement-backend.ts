/** A settlement backend by name: what the CLIs and runContagionStudy take. */
import type { Logger } from "../../core/log.ts";
import { createChainBackend } from "./chain-backend.ts";
import { createLedgerBackend } from "./ledger-backend.ts";
import type { SettlementBackend, SettlementKind } from "./settlement-backend.ts";

export type CreateSettlementBackendParameters = {
  settlement: SettlementKind;
  /** chain only: a running anvil to use instead of starting one. */
  rpcUrl?: string | undefined;
  log?: Logger | undefined;
};

export async function createSettlementBackend(
  p: CreateSettlementBackendParameters,
): Promise<SettlementBackend> {
  return p.settlement === "chain"
    ? createChainBackend({ rpcUrl: p.rpcUrl, log: p.log })
    : createLedgerBackend();
}
