import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type CallLoanParameters = {
  /** The lender's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
};
export type CallLoanReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Calls a loan early: allowed when the agreement has a callRiskLevel and the system risk level is at least that. The loan is then due at once; the default is claimable after the grace period. */
export async function callLoan(params: CallLoanParameters): Promise<CallLoanReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "callLoan", [
    toContractAgreement(params.agreement),
  ]);
  return { hash, receipt };
}
