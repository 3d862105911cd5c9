import type { Address, Hex } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";
import { type Party, parties } from "./types.ts";

export type GetDisputeParameters = { clients: ArbiterReadClients; arbiter: Address; id: Hex };
export type Dispute = {
  /** Whether a dispute is open now (else the fields describe the last one, if `round` > 0). */
  open: boolean;
  /** 0 = never disputed. */
  round: number;
  disputer: Party;
  counterBonded: boolean;
  /** Unix seconds: end of liveness, or of the arbitration window once counter-bonded. */
  deadline: bigint;
  /** Bond each side posts. */
  bond: bigint;
  /** Each party may open one dispute per loan; whether each has used it. */
  lenderDisputed: boolean;
  borrowerDisputed: boolean;
};
export type GetDisputeReturnType = Dispute;

/** Reads the current (or last) dispute of loan `id`. */
export async function getDispute(params: GetDisputeParameters): Promise<GetDisputeReturnType> {
  const { clients, arbiter, id } = params;
  const [d, loan] = await Promise.all([
    clients.public.readContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "getDispute",
      args: [id],
    }),
    clients.public.readContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "getLoan",
      args: [id],
    }),
  ]);
  return {
    open: loan.disputed,
    round: d.round,
    disputer: parties[d.disputer] ?? "None",
    counterBonded: d.counterBonded,
    deadline: d.deadline,
    bond: d.bond,
    lenderDisputed: d.lenderDisputed,
    borrowerDisputed: d.borrowerDisputed,
  };
}
