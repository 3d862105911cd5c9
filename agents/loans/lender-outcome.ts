/**
 * Tells the agent's policy that one of its loans as lender has ended (repaid, claimed after a
 * default, or liquidated in full), so a policy that learns from outcomes can: the model-driven
 * lender tracks its loss interval with them (agents/model-driven-policy.ts). A cancelled, ruled or
 * expired agreement is not an outcome of the lender's pricing and is not told. In a simulation
 * the engine tells the policy from its books instead (sims/engine/loan-resolutions.ts).
 */
import { type Agreement, amountDue } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import type { AgentPolicy } from "../agent-policy.ts";
import type { LoanStatus } from "../settlement-port.ts";

const ENDED: readonly (LoanStatus | "expired")[] = ["Repaid", "Defaulted", "Liquidated"];

export async function tellLoanEnded(p: {
  policy: AgentPolicy;
  adapter: ProtocolAdapter;
  agreement: Agreement;
  status: LoanStatus | "expired";
  log: Logger;
}): Promise<void> {
  if (!p.policy.loanResolved || !ENDED.includes(p.status)) return;
  const a = p.agreement;
  try {
    // The policy knows its lending protocol by the id its states carry.
    const { protocolId } = await p.adapter.snapshot();
    p.policy.loanResolved({
      lenderProtocolId: protocolId,
      principalToken: a.principalToken,
      collateralToken: a.collateralToken,
      tenor: Number(a.tenor),
      principal: a.principal,
      due: amountDue(a),
      collateral: a.collateral,
      defaulted: p.status === "Defaulted",
    });
  } catch (err) {
    p.log.warn("telling the policy a loan ended failed", { status: p.status, error: String(err) });
  }
}
