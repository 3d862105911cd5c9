/**
 * Tells the lenders' policy how their loans ended, once per loan: the model-driven lender tracks
 * its loss interval with these outcomes (agents/model-driven-policy.ts). The built-in policy and
 * the real agents both call the feed at the start of a step, before anyone negotiates, so both
 * decide on the same outcomes (the differential tests require the same decisions). A loan that
 * ended during a step is told at the next one; the policy values a default at its prices then.
 */
import type { Hex } from "viem";
import type { AgentPolicy, ResolvedLoan } from "../../agents/agent-policy.ts";
import type { World } from "./world.ts";

export type LoanResolutionFeed = (world: World, policy: AgentPolicy) => ResolvedLoan[];

export function createLoanResolutionFeed(): LoanResolutionFeed {
  const told = new Set<Hex>();
  return (world, policy) => {
    const out: ResolvedLoan[] = [];
    for (const loan of world.loans) {
      if (loan.status === "active" || told.has(loan.id)) continue;
      told.add(loan.id);
      const resolved: ResolvedLoan = {
        lenderProtocolId: world.protocols[loan.lender]!.id,
        principalToken: world.assets[loan.asset]!.address,
        collateralToken: world.assets[loan.collateralAsset]!.address,
        tenor: loan.tenor,
        principal: loan.principal,
        due: loan.due,
        collateral: loan.collateral,
        defaulted: loan.status === "defaulted",
        principalUsd8AtOpen: loan.principalUsd8AtOpen,
      };
      policy.loanResolved?.(resolved);
      out.push(resolved);
    }
    return out;
  };
}
