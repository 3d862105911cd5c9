import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type ClaimDefaultParameters = {
  /** The lender's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
};
export type ClaimDefaultReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Takes the remaining collateral of a loan still unpaid after maturity plus the grace period (1 day). Not while a dispute is open. */
export async function claimDefault(params: ClaimDefaultParameters): Promise<ClaimDefaultReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "claimDefault", [
    toContractAgreement(params.agreement),
  ]);
  return { hash, receipt };
}
