import { type Address, getAddress, type Hex } from "viem";
import type { EvmAdapterClients } from "./evm-adapter-clients.ts";
import { simpleLendingPoolAbi, simpleLendingPoolBytecode } from "./generated/SimpleLendingPool.ts";

export type DeploySimpleLendingPoolParameters = {
  clients: EvmAdapterClients;
  /** Who may pause borrowing, set LTV and prices; the deploying account when omitted. */
  owner?: Address;
  asset: Address;
  collateralToken: Address;
  ltvBps: number;
  assetPriceUsd8: bigint;
  collateralPriceUsd8: bigint;
};
export type DeploySimpleLendingPoolReturnType = { address: Address; hash: Hex };

/** Deploys SimpleLendingPool (protocol-adapters/evm/contracts) and waits for it. */
export async function deploySimpleLendingPool(
  params: DeploySimpleLendingPoolParameters,
): Promise<DeploySimpleLendingPoolReturnType> {
  const { clients } = params;
  const hash = await clients.wallet.deployContract({
    abi: simpleLendingPoolAbi,
    bytecode: simpleLendingPoolBytecode,
    args: [
      params.owner ?? clients.wallet.account.address,
      params.asset,
      params.collateralToken,
      params.ltvBps,
      params.assetPriceUsd8,
      params.collateralPriceUsd8,
    ],
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`SimpleLendingPool deployment ${hash} reverted`);
  }
  return { address: getAddress(receipt.contractAddress), hash };
}
