import type { Address, Hex, TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { confirm } from "./internal/confirm.ts";

export type ClaimDefaultParameters = {
  /** The lender's clients. */
  clients: ArbiterClients;
  arbiter: Address;
  id: Hex;
};
export type ClaimDefaultReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Takes the collateral of a loan still unpaid after maturity plus the grace period (1 day). */
export async function claimDefault(params: ClaimDefaultParameters): Promise<ClaimDefaultReturnType> {
  const { clients, arbiter, id } = params;
  try {
    const { request } = await clients.public.simulateContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "claimDefault",
      args: [id],
      account: clients.account,
    });
    const hash = await clients.wallet.writeContract(request);
    return { hash, receipt: await confirm(clients, hash, "claimDefault") };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
