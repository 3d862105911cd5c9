import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type ResolveParameters = {
  /** Anyone's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
};
export type ResolveReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Applies the default ruling once the dispute's deadline has passed: without counter-bond the disputer wins and the loan closes; with one (arbiters silent) the dispute is dismissed. */
export async function resolve(params: ResolveParameters): Promise<ResolveReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "resolve", [
    toContractAgreement(params.agreement),
  ]);
  return { hash, receipt };
}
