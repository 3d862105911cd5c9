import type { Address, Hex, TransactionReceipt } from "viem";
import type { ArbiterClients } from "./clients.ts";
import { writeArbiter } from "./internal/write.ts";

export type InvalidateNonceParameters = { clients: ArbiterClients; arbiter: Address; nonce: bigint };
export type InvalidateNonceReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Cancels a nonce of the clients' account: no unsettled agreement of theirs carrying it can be
 *  settled afterwards. Use it to withdraw a signature already given to a peer. */
export async function invalidateNonce(params: InvalidateNonceParameters): Promise<InvalidateNonceReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "invalidateNonce", [
    params.nonce,
  ]);
  return { hash, receipt };
}
