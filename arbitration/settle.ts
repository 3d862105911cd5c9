import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type SettleParameters = {
  /** Clients of the lender or the borrower: only a party may settle. */
  clients: ArbiterClients;
  arbiter: Address;
  agreement: Agreement;
  lenderSignature: Hex;
  borrowerSignature: Hex;
};
export type SettleReturnType = {
  hash: Hex;
  /** The loan id: the agreement's EIP-712 digest (core/agreement.ts hashAgreement). */
  id: Hex;
  receipt: TransactionReceipt;
};

/**
 * Settles a signed agreement between two registered agents: principal lender -> borrower,
 * collateral borrower -> escrow. The lender must have approved the principal and the borrower the
 * collateral. Simulates first, so a revert throws its typed error (ArbiterExpiredError,
 * ArbiterInvalidSignatureError, ...) without spending gas.
 */
export async function settle(params: SettleParameters): Promise<SettleReturnType> {
  const { clients, arbiter, agreement, lenderSignature, borrowerSignature } = params;
  const { hash, receipt, result } = await writeArbiter(clients, arbiter, "settle", [
    toContractAgreement(agreement),
    lenderSignature,
    borrowerSignature,
  ]);
  return { hash, id: result as Hex, receipt };
}
