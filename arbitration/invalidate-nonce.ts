import type { Address, Hex, TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { confirm } from "./internal/confirm.ts";

export type InvalidateNonceParameters = { clients: ArbiterClients; arbiter: Address; nonce: bigint };
export type InvalidateNonceReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Cancels a nonce of the clients' account: no agreement carrying it can be settled afterwards.
 *  Use it to withdraw a signature already given to a peer. */
export async function invalidateNonce(params: InvalidateNonceParameters): Promise<InvalidateNonceReturnType> {
  const { clients, arbiter, nonce } = params;
  try {
    const hash = await clients.wallet.writeContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "invalidateNonce",
      args: [nonce],
    });
    return { hash, receipt: await confirm(clients, hash, "invalidateNonce") };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
