import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import { liquidityArbiterAbi, liquidityArbiterBytecode } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "./clients.ts";
import { confirm } from "./internal/confirm.ts";

export type DeployArbiterParameters = { clients: ArbiterClients };
export type DeployArbiterReturnType = { address: Address; hash: Hex; receipt: TransactionReceipt };

/** Deploys LiquidityArbiter from the clients' account and waits for it to be mined. */
export async function deployArbiter({ clients }: DeployArbiterParameters): Promise<DeployArbiterReturnType> {
  const hash = await clients.wallet.deployContract({
    abi: liquidityArbiterAbi,
    bytecode: liquidityArbiterBytecode,
  });
  const receipt = await confirm(clients, hash, "deployArbiter");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}
