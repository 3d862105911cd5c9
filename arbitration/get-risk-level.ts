import type { Address, Hex } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type GetRiskLevelParameters = { clients: ArbiterReadClients; arbiter: Address };
export type GetRiskLevelReturnType = {
  /** Level in force now: the last alert's until it expires, then 0. */
  level: number;
  /** Unix seconds at which the last alert expires(d). */
  expiresAt: bigint;
  /** The last accepted alert (possibly expired). */
  lastAlert: { level: number; evidenceHash: Hex; issuedAt: bigint; expiresAt: bigint };
};

/** Reads the system risk level that the agents' quorum posted. */
export async function getRiskLevel(params: GetRiskLevelParameters): Promise<GetRiskLevelReturnType> {
  const { clients, arbiter } = params;
  const [[level, expiresAt], lastAlert] = await Promise.all([
    clients.public.readContract({ address: arbiter, abi: liquidityArbiterAbi, functionName: "riskLevel" }),
    clients.public.readContract({ address: arbiter, abi: liquidityArbiterAbi, functionName: "currentAlert" }),
  ]);
  return { level, expiresAt, lastAlert };
}
