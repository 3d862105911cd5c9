import { type Address, erc20Abi, getAddress } from "viem";
import type { TokenInfo } from "../../simulated/token-info.ts";
import type { EvmAdapterClients } from "../evm-adapter-clients.ts";

/** Symbol and decimals of an ERC-20 (metadata never changes, so adapters read it once). */
export async function readTokenInfo(
  clients: Pick<EvmAdapterClients, "public">,
  token: Address,
): Promise<TokenInfo> {
  const read = <F extends "symbol" | "decimals">(functionName: F) =>
    clients.public.readContract({ address: token, abi: erc20Abi, functionName });
  const [symbol, decimals] = await Promise.all([read("symbol"), read("decimals")]);
  return { address: getAddress(token), symbol: symbol.slice(0, 16), decimals };
}
