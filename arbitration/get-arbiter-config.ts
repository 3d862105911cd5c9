import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type GetArbiterConfigParameters = { clients: ArbiterReadClients; arbiter: Address };
export type ArbiterConfig = {
  governance: Address;
  /** Index of the dispute parameter set loans settled now get (sets are append-only). */
  disputeParamsIndex: number;
  /** That set: bond in basis points of the principal, liveness and arbitration window (seconds). */
  bondBps: number;
  liveness: bigint;
  arbitrationWindow: bigint;
  arbiters: readonly Address[];
  threshold: number;
  alertQuorum: number;
};
export type GetArbiterConfigReturnType = ArbiterConfig;

/** Reads the arbiter's governance, current dispute parameters, arbiter set and alert quorum. */
export async function getArbiterConfig(
  params: GetArbiterConfigParameters,
): Promise<GetArbiterConfigReturnType> {
  const { clients, arbiter } = params;
  const read = { address: arbiter, abi: liquidityArbiterAbi } as const;
  const [governance, index, arbiters, threshold, alertQuorum] = await Promise.all([
    clients.public.readContract({ ...read, functionName: "governance" }),
    clients.public.readContract({ ...read, functionName: "currentDisputeParams" }),
    clients.public.readContract({ ...read, functionName: "arbiters" }),
    clients.public.readContract({ ...read, functionName: "threshold" }),
    clients.public.readContract({ ...read, functionName: "alertQuorum" }),
  ]);
  const set = await clients.public.readContract({
    ...read,
    functionName: "disputeParams",
    args: [BigInt(index)],
  });
  return {
    governance,
    disputeParamsIndex: index,
    bondBps: set.bondBps,
    liveness: set.liveness,
    arbitrationWindow: set.arbitrationWindow,
    arbiters,
    threshold: Number(threshold),
    alertQuorum: Number(alertQuorum),
  };
}
