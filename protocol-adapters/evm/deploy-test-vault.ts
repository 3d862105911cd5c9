import { type Address, getAddress, type Hex } from "viem";
import type { EvmAdapterClients } from "./evm-adapter-clients.ts";
import { testVaultAbi, testVaultBytecode } from "./generated/TestVault.ts";

export type DeployTestVaultParameters = {
  clients: EvmAdapterClients;
  /** Who may cap deposits and simulate losses; the deploying account when omitted. */
  owner?: Address;
  asset: Address;
  name: string;
  symbol: string;
};
export type DeployTestVaultReturnType = { address: Address; hash: Hex };

/** Deploys TestVault (OpenZeppelin ERC-4626 with a deposit cap and a loss hook) and waits for it. */
export async function deployTestVault(params: DeployTestVaultParameters): Promise<DeployTestVaultReturnType> {
  const { clients } = params;
  const hash = await clients.wallet.deployContract({
    abi: testVaultAbi,
    bytecode: testVaultBytecode,
    args: [params.owner ?? clients.wallet.account.address, params.asset, params.name, params.symbol],
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`TestVault deployment ${hash} reverted`);
  }
  return { address: getAddress(receipt.contractAddress), hash };
}
