import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type IsNonceUsedParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  owner: Address;
  nonce: bigint;
};
export type IsNonceUsedReturnType = boolean;

/** Whether `owner` has used (settled) or cancelled `nonce` on the arbiter. */
export function isNonceUsed(params: IsNonceUsedParameters): Promise<IsNonceUsedReturnType> {
  const { clients, arbiter, owner, nonce } = params;
  return clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "isNonceUsed",
    args: [owner, nonce],
  });
}
