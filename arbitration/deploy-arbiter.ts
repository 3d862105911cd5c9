import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import { liquidityArbiterAbi, liquidityArbiterBytecode } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "./clients.ts";
import { confirm } from "./internal/confirm.ts";

export type DeployArbiterParameters = {
  clients: ArbiterClients;
  /** Token disputes are bonded in (must transfer exact amounts). */
  bondToken: Address;
  /** Bond per side, in base units of the bond token (default 0: disputes cost only gas). */
  bondAmount?: bigint | undefined;
  /** Governance account (default: the deployer). */
  governance?: Address | undefined;
  /** Seconds to post a counter-bond (default 1 day). */
  liveness?: bigint | undefined;
  /** Seconds arbiters have to rule after a counter-bond (default 3 days). */
  arbitrationWindow?: bigint | undefined;
  /** Registered-agent signatures a risk alert needs (default 2). */
  alertQuorum?: number | undefined;
};
export type DeployArbiterReturnType = { address: Address; hash: Hex; receipt: TransactionReceipt };

export const DEFAULT_LIVENESS = 86_400n;
export const DEFAULT_ARBITRATION_WINDOW = 3n * 86_400n;
export const DEFAULT_ALERT_QUORUM = 2;

/** Deploys LiquidityArbiter and waits for it to be mined. Agents must then be registered and an
 *  arbiter set chosen by governance (registerAgent, setArbiters). */
export async function deployArbiter(params: DeployArbiterParameters): Promise<DeployArbiterReturnType> {
  const { clients } = params;
  const hash = await clients.wallet.deployContract({
    abi: liquidityArbiterAbi,
    bytecode: liquidityArbiterBytecode,
    args: [
      params.governance ?? clients.account.address,
      params.bondToken,
      params.bondAmount ?? 0n,
      params.liveness ?? DEFAULT_LIVENESS,
      params.arbitrationWindow ?? DEFAULT_ARBITRATION_WINDOW,
      params.alertQuorum ?? DEFAULT_ALERT_QUORUM,
    ],
  });
  const receipt = await confirm(clients, hash, "deployArbiter");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}
