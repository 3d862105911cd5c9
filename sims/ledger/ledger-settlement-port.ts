/**
 * agents/settlement-port.ts SettlementPort on the in-process ledger, for one caller (the agent's
 * own address). Transaction hashes are synthetic but unique per call.
 */
import { type Address, type Hex, keccak256, toHex } from "viem";
import { nonceOf } from "../../core/agreement-nonce.ts";
import type { EngineSettlementPort } from "../settlement/settlement-backend.ts";
import { LedgerRevertError } from "./errors.ts";
import type { Ledger } from "./ledger.ts";
import type { LedgerMarginOracle } from "./ledger-margin-oracle.ts";

export type LedgerSettlementPort = EngineSettlementPort;

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

const WAD = 10n ** 18n;
const MAX_UINT256 = (1n << 256n) - 1n;

export function createLedgerSettlementPort({
  ledger,
  caller,
  marginOracle,
}: {
  ledger: Ledger;
  caller: Address;
  /** The ledger's margin oracle, for loanHealth (as arbitration/get-loan-health.ts reads the
   *  contract's); without one, loanHealth throws MarginUnavailable. */
  marginOracle?: LedgerMarginOracle | undefined;
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
    loanHealth: async ({ agreement }) => {
      if (!marginOracle) throw new LedgerRevertError("MarginUnavailable");
      const { owed, escrowed } = ledger.outstanding(agreement);
      const threshold = ledger.liquidationThreshold(agreement);
      const health =
        owed === 0n
          ? MAX_UINT256
          : marginOracle.health(
              agreement.principalToken,
              owed,
              agreement.collateralToken,
              escrowed,
              threshold,
            );
      return { health, liquidatable: health < WAD, thresholdBps: Number(threshold), owed, escrowed };
    },
    liquidate: async ({ agreement, repayAmount }) => {
      const id = ledger.idOf(agreement);
      let healthBefore = 0n;
      const stop = ledger.onEvent((e) => {
        if (e.type === "Liquidated" && e.id === id) healthBefore = e.healthBefore;
      });
      try {
        const { repaid, seized } = ledger.liquidate({ caller, agreement, repayAmount });
        const { owed, escrowed } = ledger.outstanding(agreement);
        return { txHash: txHash("liquidate", id), repaid, seized, outstanding: owed, escrowed, healthBefore };
      } finally {
        stop();
      }
    },
    topUp: async ({ agreement, amount }) => {
      ledger.topUp({ caller, agreement, amount });
      return { txHash: txHash("topUp", ledger.idOf(agreement)) };
    },
    claimDefault: async ({ agreement }) => {
      ledger.claimDefault({ caller, agreement });
      return { txHash: txHash("claimDefault", ledger.idOf(agreement)) };
    },
  };
}
