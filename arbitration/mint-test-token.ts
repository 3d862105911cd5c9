import type { Address, Hex, TransactionReceipt } from "viem";
import { testTokenAbi } from "../contracts/generated/TestToken.ts";
import type { ArbiterClients } from "./clients.ts";
import { confirm } from "./internal/confirm.ts";

export type MintTestTokenParameters = {
  clients: ArbiterClients;
  token: Address;
  to: Address;
  amount: bigint;
};
export type MintTestTokenReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Mints `amount` base units of a TestToken to `to`. */
export async function mintTestToken(params: MintTestTokenParameters): Promise<MintTestTokenReturnType> {
  const { clients, token, to, amount } = params;
  const hash = await clients.wallet.writeContract({
    address: token,
    abi: testTokenAbi,
    functionName: "mint",
    args: [to, amount],
  });
  return { hash, receipt: await confirm(clients, hash, "mint") };
}
