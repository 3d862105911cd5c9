/**
 * agents/settlement-port.ts SettlementPort on the in-process ledger, for one caller (the agent's
 * own address). Transaction hashes are synthetic but unique per call.
 */
import { type Address, type Hex, keccak256, toHex } from "viem";
import type { EngineSettlementPort } from "../settlement/settlement-backend.ts";
import type { Ledger } from "./ledger.ts";

export type LedgerSettlementPort = EngineSettlementPort;

export function createLedgerSettlementPort({
  ledger,
  caller,
}: {
  ledger: Ledger;
  caller: Address;
}): LedgerSettlementPort {
  let calls = 0;
  const settledBy = new Map<Hex, Hex>();
  const txHash = (what: string, id: Hex) => keccak256(toHex(`${what}:${id}:${caller}:${calls++}`));
  return {
    settle: async ({ agreement, lenderSignature, borrowerSignature }) => {
      const id = ledger.settle({ caller, agreement, lenderSignature, borrowerSignature });
      const hash = txHash("settle", id);
      settledBy.set(id, hash);
      return { id, txHash: hash };
    },
    repay: async ({ id, agreement }) => {
      ledger.repay({ caller, agreement });
      return { txHash: txHash("repay", id) };
    },
    status: async (id) => ledger.getLoan(id).status,
    settlementTx: async (id) => settledBy.get(id),
    withdraw: async ({ agreement }) => {
      ledger.invalidateNonce({ caller, nonce: agreement.nonce });
      return { txHash: txHash("invalidateNonce", ledger.idOf(agreement)) };
    },
    claimDefault: async ({ agreement }) => {
      ledger.claimDefault({ caller, agreement });
      return { txHash: txHash("claimDefault", ledger.idOf(agreement)) };
    },
  };
}
