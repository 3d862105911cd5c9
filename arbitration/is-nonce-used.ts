import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type IsNonceUsedParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  owner: Address;
  /** The owner's own 128-bit nonce (its half of an agreement's nonce: core/agreement-nonce.ts). */
  nonce: bigint;
};
export type IsNonceUsedReturnType = boolean;

/** Whether `owner`'s `nonce` is used: consumed by a settled agreement, or cancelled with
 *  invalidateNonce. Either way no other agreement carrying it for `owner` can settle. */
export function isNonceUsed(params: IsNonceUsedParameters): Promise<IsNonceUsedReturnType> {
  const { clients, arbiter, owner, nonce } = params;
  return clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "isNonceUsed",
    args: [owner, nonce],
  });
}
