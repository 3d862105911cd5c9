import type { Address, Hex, TransactionReceipt } from "viem";
import type { ArbiterClients } from "./clients.ts";
import { writeArbiter } from "./internal/write.ts";

export type InvalidateNonceParameters = {
  clients: ArbiterClients;
  arbiter: Address;
  /** The account's own 128-bit nonce: its half of the agreement's nonce (nonceOf(agreement, role)),
   *  not the packed 256-bit value (the contract refuses that, and 0, as InvalidParameter). */
  nonce: bigint;
};
export type InvalidateNonceReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Cancels a nonce of the clients' account: no unsettled agreement carrying it for this account can
 *  settle afterwards. Use it to withdraw a signature already given to a peer (or cancelAgreement, for
 *  an agreement in which the account has no nonce). */
export async function invalidateNonce(params: InvalidateNonceParameters): Promise<InvalidateNonceReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "invalidateNonce", [
    params.nonce,
  ]);
  return { hash, receipt };
}
