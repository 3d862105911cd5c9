import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type CancelAgreementParameters = {
  /** The lender's or the borrower's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  agreement: Agreement;
};
export type CancelAgreementReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Withdraws our signature from an agreement nobody has settled: it can never settle afterwards
 *  (settle then reverts with ArbiterCancelledAgreementError). Idempotent; refused for a settled one
 *  (ArbiterAlreadySettledError: read the loan and service it). */
export async function cancelAgreement(params: CancelAgreementParameters): Promise<CancelAgreementReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "cancelAgreement", [
    toContractAgreement(params.agreement),
  ]);
  return { hash, receipt };
}
