import { type Address, erc20Abi, type Hex, type TransactionReceipt } from "viem";
import type { ArbiterClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { confirm } from "./internal/confirm.ts";

export type ApproveParameters = {
  clients: ArbiterClients;
  token: Address;
  /** Usually the arbiter. */
  spender: Address;
  amount: bigint;
};
export type ApproveReturnType = { hash: Hex; receipt: TransactionReceipt };

/** ERC-20 approve from the clients' account: the lender approves the principal, the borrower the
 *  collateral and the amount due, each before settle or repay. */
export async function approve(params: ApproveParameters): Promise<ApproveReturnType> {
  const { clients, token, spender, amount } = params;
  try {
    const hash = await clients.wallet.writeContract({
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      args: [spender, amount],
    });
    return { hash, receipt: await confirm(clients, hash, "approve") };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
