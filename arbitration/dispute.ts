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

/**
 * Opens a dispute on a loan that is due (past maturity, or called), posting the loan's bond in its
 * principal token (getDisputeTerms; approve it to the arbiter first). Before maturity it throws
 * ArbiterNotDueError: nothing is owed yet. Arbiters may rule until the deadline; without a ruling
 * the lender's position stands (resolve): the lender gets the bonds posted, and, if it disputed, the
 * remaining escrow, never before maturity plus grace.
 */
export async function dispute(params: DisputeParameters): Promise<DisputeReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "dispute", [
    toContractAgreement(params.agreement),
    params.evidenceHash,
  ]);
  return { hash, receipt };
}
