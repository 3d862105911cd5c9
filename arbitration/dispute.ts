import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type DisputeParameters = {
  /** The lender's or the borrower's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
  /** Hash of the evidence (e.g. of the signed negotiation transcript); emitted for the arbiters. */
  evidenceHash: Hex;
};
export type DisputeReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Opens a dispute on an active loan, posting the bond (approve bondAmount of the bond token first). If the counterparty posts no counter-bond within the liveness, the disputer wins by default: its bond back and the remaining collateral. */
export async function dispute(params: DisputeParameters): Promise<DisputeReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "dispute", [
    toContractAgreement(params.agreement),
    params.evidenceHash,
  ]);
  return { hash, receipt };
}
