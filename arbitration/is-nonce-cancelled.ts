import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type IsNonceCancelledParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  owner: Address;
  nonce: bigint;
};
export type IsNonceCancelledReturnType = boolean;

/** Whether `owner` cancelled `nonce` (invalidateNonce). Settling does not consume nonces. */
export function isNonceCancelled(params: IsNonceCancelledParameters): Promise<IsNonceCancelledReturnType> {
  const { clients, arbiter, owner, nonce } = params;
  return clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "isNonceCancelled",
    args: [owner, nonce],
  });
}
