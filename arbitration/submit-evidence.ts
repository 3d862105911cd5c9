import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type SubmitEvidenceParameters = {
  /** The lender's or the borrower's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
  evidenceHash: Hex;
};
export type SubmitEvidenceReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Adds evidence to the open dispute (an ERC-1497-style Evidence event). */
export async function submitEvidence(params: SubmitEvidenceParameters): Promise<SubmitEvidenceReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "submitEvidence", [
    toContractAgreement(params.agreement),
    params.evidenceHash,
  ]);
  return { hash, receipt };
}
