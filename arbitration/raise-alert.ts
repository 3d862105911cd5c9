import type { Address, Hex, TransactionReceipt } from "viem";
import type { ArbiterClients } from "./clients.ts";
import { writeArbiter } from "./internal/write.ts";
import { type RiskAlert, type SignerSignature, sortSignatures } from "./typed-data.ts";

export type RaiseAlertParameters = {
  /** Anyone's clients: the agents' signatures carry the authority. */
  clients: ArbiterClients;
  arbiter: Address;
  alert: RiskAlert;
  /** At least `alertQuorum` signatures of registered agents over the RiskAlert (signRiskAlert). */
  signatures: readonly SignerSignature[];
};
export type RaiseAlertReturnType = { hash: Hex; receipt: TransactionReceipt };

/** Sets the on-chain system risk level until the alert expires. */
export async function raiseAlert(params: RaiseAlertParameters): Promise<RaiseAlertReturnType> {
  const { hash, receipt } = await writeArbiter(params.clients, params.arbiter, "raiseAlert", [
    params.alert,
    sortSignatures(params.signatures),
  ]);
  return { hash, receipt };
}
