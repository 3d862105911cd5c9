import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type GetCreditParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  owner: Address;
  token: Address;
};
export type GetCreditReturnType = bigint;

/** What the arbiter holds for `owner` in `token` because the token refused to deliver it (withdraw it
 *  with withdrawCredit). */
export function getCredit(params: GetCreditParameters): Promise<GetCreditReturnType> {
  const { clients, arbiter, owner, token } = params;
  return clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "credits",
    args: [owner, token],
  });
}
