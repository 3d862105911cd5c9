import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import { liquidityArbiterAbi, liquidityArbiterBytecode } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "./clients.ts";
import {
  checkDisputeParams,
  DEFAULT_ALERT_QUORUM,
  DEFAULT_ARBITRATION_WINDOW,
  DEFAULT_BOND_BPS,
  DEFAULT_LIVENESS,
} from "./dispute-params.ts";
import { confirm } from "./internal/confirm.ts";

export {
  DEFAULT_ALERT_QUORUM,
  DEFAULT_ARBITRATION_WINDOW,
  DEFAULT_BOND_BPS,
  DEFAULT_LIVENESS,
} from "./dispute-params.ts";

export type DeployArbiterParameters = {
  clients: ArbiterClients;
  /** Governance account (default: the deployer). */
  governance?: Address | undefined;
  /** Dispute bond per side, in basis points of the loan's principal, posted in its principal token
   *  (default 100 = 1 %; at least 10). Each token's minimum bond is set when governance lists it. */
  bondBps?: number | undefined;
  /** Seconds to post a counter-bond (default 1 day; 12 hours .. 30 days). */
  liveness?: bigint | undefined;
  /** Seconds arbiters have to rule after a counter-bond (default 3 days; 12 hours .. 30 days). */
  arbitrationWindow?: bigint | undefined;
  /** Distinct registered protocols whose agents must sign a risk alert (default 2). */
  alertQuorum?: number | undefined;
};
export type DeployArbiterReturnType = { address: Address; hash: Hex; receipt: TransactionReceipt };

/** Deploys LiquidityArbiter and waits for it to be mined. Governance must then list tokens
 *  (allowToken), register agents (registerAgent) and choose an arbiter set (setArbiters). Throws
 *  ArbiterDisputeParamsError, before sending anything, for parameters the contract would refuse. */
export async function deployArbiter(params: DeployArbiterParameters): Promise<DeployArbiterReturnType> {
  const { clients } = params;
  const dispute = {
    bondBps: params.bondBps ?? DEFAULT_BOND_BPS,
    liveness: params.liveness ?? DEFAULT_LIVENESS,
    arbitrationWindow: params.arbitrationWindow ?? DEFAULT_ARBITRATION_WINDOW,
  };
  checkDisputeParams(dispute);
  const hash = await clients.wallet.deployContract({
    abi: liquidityArbiterAbi,
    bytecode: liquidityArbiterBytecode,
    args: [
      params.governance ?? clients.account.address,
      dispute.bondBps,
      dispute.liveness,
      dispute.arbitrationWindow,
      params.alertQuorum ?? DEFAULT_ALERT_QUORUM,
    ],
  });
  const receipt = await confirm(clients, hash, "deployArbiter");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}
