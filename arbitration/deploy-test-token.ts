import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import { testTokenAbi, testTokenBytecode } from "../contracts/generated/TestToken.ts";
import type { ArbiterClients } from "./clients.ts";
import { confirm } from "./internal/confirm.ts";

export type DeployTestTokenParameters = {
  clients: ArbiterClients;
  name: string;
  symbol: string;
  decimals: number;
};
export type DeployTestTokenReturnType = { address: Address; hash: Hex; receipt: TransactionReceipt };

/** Deploys a TestToken: an ERC-20 anyone can mint (tests and simulations only). */
export async function deployTestToken(params: DeployTestTokenParameters): Promise<DeployTestTokenReturnType> {
  const { clients, name, symbol, decimals } = params;
  const hash = await clients.wallet.deployContract({
    abi: testTokenAbi,
    bytecode: testTokenBytecode,
    args: [name, symbol, decimals],
  });
  const receipt = await confirm(clients, hash, "deployTestToken");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}
