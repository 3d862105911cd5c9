/**
 * Governance actions: the agent registry, the token allowlist, the arbiter set, and dispute and
 * alert parameters. Each must be sent from the governance account (else ArbiterNotGovernanceError).
 */
import { type Address, type Hex, stringToHex, type TransactionReceipt } from "viem";
import type { ArbiterClients } from "./clients.ts";
import { checkDisputeParams, packMinBond } from "./dispute-params.ts";
import { ArbiterTokenWithoutCodeError } from "./errors.ts";
import { writeArbiter } from "./internal/write.ts";

type Base = { clients: ArbiterClients; arbiter: Address };
export type GovernanceReturnType = { hash: Hex; receipt: TransactionReceipt };

/** A protocol id as the contract stores it: a 0x 32-byte hex, or a string of at most 32 bytes
 *  ("lending-market-A"), right-padded with zeros. */
export function toProtocolId(id: string): Hex {
  if (/^0x[0-9a-fA-F]{64}$/.test(id)) return id.toLowerCase() as Hex;
  if (new TextEncoder().encode(id).length > 32 || id.length === 0) {
    throw new RangeError(`protocol id "${id}" must be 1 to 32 bytes of text, or 0x and 64 hex digits`);
  }
  return stringToHex(id, { size: 32 });
}

export type RegisterAgentParameters = Base & { agent: Address; protocolId: string };

/** Adds `agent` to the registry (or changes its protocol id). Register one address per protocol:
 *  risk alerts count distinct protocols. */
export async function registerAgent(p: RegisterAgentParameters): Promise<GovernanceReturnType> {
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "registerAgent", [
    p.agent,
    toProtocolId(p.protocolId),
  ]);
  return { hash, receipt };
}

export type DeregisterAgentParameters = Base & { agent: Address };

/** Removes `agent`: no new loans or alert signatures; its loans run on. */
export async function deregisterAgent(p: DeregisterAgentParameters): Promise<GovernanceReturnType> {
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "deregisterAgent", [p.agent]);
  return { hash, receipt };
}

export type AllowTokenParameters = Base & {
  token: Address;
  /** Smallest dispute bond of loans in this token, in its base units: positive, at most 7 significant
   *  digits (m * 10^e, m < 2^24). A loan keeps the minimum in force when it settled. */
  minBond: bigint;
};

/** Lists `token` for new loans (principal or collateral), or changes its minimum bond. Refuses, before
 *  sending, an address without code (ArbiterTokenWithoutCodeError) and a minimum bond the contract
 *  cannot store (ArbiterMinBondError). */
export async function allowToken(p: AllowTokenParameters): Promise<GovernanceReturnType> {
  packMinBond(p.minBond);
  const code = await p.clients.public.getCode({ address: p.token });
  if (code === undefined || code === "0x") throw new ArbiterTokenWithoutCodeError({ token: p.token });
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "allowToken", [p.token, p.minBond]);
  return { hash, receipt };
}

export type DisallowTokenParameters = Base & { token: Address };

/** Refuses `token` in new loans; loans already settled in it run on. */
export async function disallowToken(p: DisallowTokenParameters): Promise<GovernanceReturnType> {
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "disallowToken", [p.token]);
  return { hash, receipt };
}

export type SetArbitersParameters = Base & { arbiters: readonly Address[]; threshold: number };

/** Replaces the arbiter set; rulings then need `threshold` (1..n) of their signatures. */
export async function setArbiters(p: SetArbitersParameters): Promise<GovernanceReturnType> {
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "setArbiters", [
    p.arbiters,
    BigInt(p.threshold),
  ]);
  return { hash, receipt };
}

export type SetAlertQuorumParameters = Base & { quorum: number };

/** Sets how many distinct registered protocols must sign a risk alert (at least 1). */
export async function setAlertQuorum(p: SetAlertQuorumParameters): Promise<GovernanceReturnType> {
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "setAlertQuorum", [p.quorum]);
  return { hash, receipt };
}

export type SetDisputeParamsParameters = Base & {
  /** Bond per side in basis points of the principal (10 .. 10,000). */
  bondBps: number;
  /** Seconds to post a counter-bond (12 hours .. 30 days). */
  liveness: bigint;
  /** Seconds arbiters have to rule after the counter-bond (12 hours .. 30 days). */
  arbitrationWindow: bigint;
};

/** Appends a dispute parameter set for loans settled from now on; settled loans keep theirs. Throws
 *  ArbiterDisputeParamsError, before sending, for values the contract would refuse. */
export async function setDisputeParams(p: SetDisputeParamsParameters): Promise<GovernanceReturnType> {
  checkDisputeParams(p);
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "setDisputeParams", [
    p.bondBps,
    p.liveness,
    p.arbitrationWindow,
  ]);
  return { hash, receipt };
}
