import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterReadClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { toContractAgreement } from "./internal/agreement.ts";

export type GetDisputeTermsParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  agreement: Agreement;
};
export type DisputeTerms = {
  /** What each side of a dispute on this loan posts, in its principal token. */
  bond: bigint;
  /** Seconds the counterparty has to counter-bond. */
  liveness: bigint;
  /** Seconds arbiters have to rule once counter-bonded. */
  arbitrationWindow: bigint;
};
export type GetDisputeTermsReturnType = DisputeTerms;

/** The dispute terms a settled loan got at settlement (later governance changes do not touch them).
 *  Throws ArbiterUnknownAgreementError for an agreement never settled. */
export async function getDisputeTerms(params: GetDisputeTermsParameters): Promise<GetDisputeTermsReturnType> {
  const { clients, arbiter, agreement } = params;
  try {
    const [bond, liveness, arbitrationWindow] = await clients.public.readContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "disputeTerms",
      args: [toContractAgreement(agreement)],
    });
    return { bond, liveness, arbitrationWindow };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
