import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type CounterDisputeParameters = {
  /** The clients of the disputer's counterparty. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
  evidenceHash: Hex;
};
export type CounterDisputeReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Contests the open dispute by posting the same bond before the liveness ends; arbiters then have the arbitration window to rule, else the dispute is dismissed and both bonds are refunded. */
export async function counterDispute(params: CounterDisputeParameters): Promise<CounterDisputeReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "counterDispute", [
    toContractAgreement(params.agreement),
    params.evidenceHash,
  ]);
  return { hash, receipt };
}
