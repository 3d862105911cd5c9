import type { Address, Hex, TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { confirm } from "./internal/confirm.ts";

export type RepayParameters = {
  /** Clients of whoever pays: usually the borrower, but anyone may repay on its behalf. */
  clients: ArbiterClients;
  arbiter: Address;
  id: Hex;
};
export type RepayReturnType = { hash: Hex; receipt: TransactionReceipt };

/**
 * Repays an active loan: the caller pays the amount due (getLoan(...).amountDue, approved to the
 * arbiter beforehand) to the lender, and the collateral returns to the borrower.
 */
export async function repay(params: RepayParameters): Promise<RepayReturnType> {
  const { clients, arbiter, id } = params;
  try {
    const { request } = await clients.public.simulateContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "repay",
      args: [id],
      account: clients.account,
    });
    const hash = await clients.wallet.writeContract(request);
    return { hash, receipt: await confirm(clients, hash, "repay") };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
