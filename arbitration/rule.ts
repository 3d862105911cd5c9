import type { Address, Hex, TransactionReceipt } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";
import { type SignerSignature, sortSignatures } from "./typed-data.ts";
import { type Party, partyIndex } from "./types.ts";

export type RuleParameters = {
  /** Anyone's clients: the arbiters' signatures carry the authority. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The agreement exactly as settled. */
  agreement: Agreement;
  /** Gets the bonds and, if `closeLoan`, the remaining collateral; "None" dismisses the dispute. */
  winner: Party;
  closeLoan: boolean;
  /** At least `threshold` arbiter signatures over the Ruling (signRuling); sorted here. */
  signatures: readonly SignerSignature[];
};
export type RuleReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Decides the open dispute of a loan with k-of-n arbiter signatures, before its deadline. */
export async function rule(params: RuleParameters): Promise<RuleReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "rule", [
    toContractAgreement(params.agreement),
    partyIndex(params.winner),
    params.closeLoan,
    sortSignatures(params.signatures),
  ]);
  return { hash, receipt };
}
