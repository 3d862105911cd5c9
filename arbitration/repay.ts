import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type RepayParameters = {
  /** Clients of whoever pays: usually the borrower, but anyone may repay on its behalf. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled: the arbiter finds the loan by its digest. */
  agreement: Agreement;
  /** Pay only this much (partial repayment, releasing collateral pro rata); omitted = everything
   *  still owed. */
  amount?: bigint | undefined;
};
export type RepayReturnType = { hash: Hex; receipt: TransactionReceipt };

/**
 * Repays a loan: the caller pays (the rest of) the amount due, approved to the arbiter beforehand,
 * to the lender, and the collateral returns to the borrower: all of it with the last payment,
 * `collateral * paid / amountDue` so far after partial ones.
 */
export async function repay(params: RepayParameters): Promise<RepayReturnType> {
  const { clients, arbiter, agreement, amount } = params;
  const a = toContractAgreement(agreement);
  const { hash, receipt } =
    amount === undefined
      ? await writeArbiter(clients, arbiter, "repay", [a])
      : await writeArbiter(clients, arbiter, "repayPartial", [a, amount]);
  return { hash, receipt };
}
