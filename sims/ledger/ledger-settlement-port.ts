/**
 * agents/settlement-port.ts SettlementPort on the in-process ledger, for one caller (the agent's
 * own address). Transaction hashes are synthetic but unique per call.
 */
import { type Address, type Hex, keccak256, toHex } from "viem";
import { nonceOf } from "../../core/agreement-nonce.ts";
import type { EngineSettlementPort } from "../settlement/settlement-backend.ts";
import type { Ledger } from "./ledger.ts";

export type LedgerSettlementPort = EngineSettlementPort;

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

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
    loan: async (id) => {
      const { status, disputed, maturity } = ledger.getLoan(id);
      return { status, disputed, maturity };
    },
    settlementTx: async (id) => settledBy.get(id),
    withdraw: async ({ agreement }) => {
      // As agents/chain-settlement.ts: our own nonce if we have one, else cancel the agreement.
      const role = same(agreement.lender, caller)
        ? "lender"
        : same(agreement.borrower, caller)
          ? "borrower"
          : undefined;
      const nonce = role ? nonceOf(agreement, role) : 0n;
      if (nonce !== 0n) ledger.invalidateNonce({ caller, nonce });
      else ledger.cancelAgreement({ caller, agreement });
      return { txHash: txHash(nonce !== 0n ? "invalidateNonce" : "cancelAgreement", ledger.idOf(agreement)) };
    },
    collect: async ({ token }) => {
      if (ledger.credit(caller, token) === 0n) return { amount: 0n };
      const amount = ledger.withdrawCredit({ caller, token, to: caller });
      return { amount, txHash: txHash("withdrawCredit", token) };
    },
    claimDefault: async ({ agreement }) => {
      ledger.claimDefault({ caller, agreement });
      return { txHash: txHash("claimDefault", ledger.idOf(agreement)) };
    },
  };
}
