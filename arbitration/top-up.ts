import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

export type TopUpParameters = {
  /** Clients of whoever adds the collateral (usually the borrower), approved to the arbiter in the
   *  collateral token beforehand. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The margined agreement exactly as settled. */
  agreement: Agreement;
  /** Collateral to add, base units (> 0). */
  amount: bigint;
};
export type TopUpReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Adds collateral to a margined loan's escrow, raising its health (ArbiterNotMarginedError for an
 *  unmargined one). The collateral is the borrower's, returned with the last repayment. */
export async function topUp(params: TopUpParameters): Promise<TopUpReturnType> {
  const { clients, arbiter, agreement, amount } = params;
  const { hash, receipt } = await writeArbiter(clients, arbiter, "topUp", [
    toContractAgreement(agreement),
    amount,
  ]);
  return { hash, receipt };
}
