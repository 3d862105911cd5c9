import type { Address, Hex, TransactionReceipt } from "viem";
import type { ArbiterClients } from "./clients.ts";
import { writeArbiter } from "./internal/write.ts";

export type WithdrawCreditParameters = {
  /** Clients of the account the credit belongs to. */
  clients: ArbiterClients;
  arbiter: Address;
  token: Address;
  /** Where to send it (default: the account itself; another address if the token refuses it). */
  to?: Address | undefined;
};
export type WithdrawCreditReturnType = { hash: Hex; receipt: TransactionReceipt; paid: bigint };

/** Withdraws what the arbiter credited us in `token`: payments the token refused to deliver (a
 *  blocklisted recipient, a failing hook). `paid` is the credit, or its pro-rata share if the
 *  arbiter's balance of the token fell short of what it owes. Throws ArbiterNothingToWithdrawError
 *  when there is no credit (read it first with getCredit). */
export async function withdrawCredit(params: WithdrawCreditParameters): Promise<WithdrawCreditReturnType> {
  const { clients, arbiter, token } = params;
  const { hash, receipt, result } = await writeArbiter(clients, arbiter, "withdrawCredit", [
    token,
    params.to ?? clients.account.address,
  ]);
  return { hash, receipt, paid: result as bigint };
}
