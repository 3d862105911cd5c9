import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type GetTokenConfigParameters = { clients: ArbiterReadClients; arbiter: Address; token: Address };
export type TokenConfig = {
  /** New loans may use it (as principal or collateral). */
  allowed: boolean;
  /** Smallest dispute bond of a loan in this principal token (0: never listed). */
  minBond: bigint;
  /** What the arbiter owes in this token: escrowed collateral, posted bonds and credits. */
  held: bigint;
};
export type GetTokenConfigReturnType = TokenConfig;

/** `token`'s entry on the arbiter's allowlist. */
export async function getTokenConfig(params: GetTokenConfigParameters): Promise<GetTokenConfigReturnType> {
  const { clients, arbiter, token } = params;
  const [allowed, minBond, held] = await clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "tokenConfig",
    args: [token],
  });
  return { allowed, minBond, held };
}
