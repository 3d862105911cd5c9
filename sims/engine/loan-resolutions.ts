/**
 * Tells the lenders' policy how their loans ended, once per loan: the model-driven lender tracks
 * its loss interval with these outcomes (agents/model-driven-policy.ts). The built-in policy and
 * the real agents both call the feed at the start of a step, before anyone negotiates, so both
 * decide on the same outcomes (the differential tests require the same decisions). A loan that
 * ended during a step is told at the next one, valued at that step's prices.
 */
import type { Hex } from "viem";
import type { AgentPolicy, ResolvedLoan } from "../../agents/agent-policy.ts";
import { type InterProtocolLoan, valueUsd8, type World } from "./world.ts";

/** What the lender lost, as a share of the principal's value when lent: a claimed default loses
 *  what is due less the collateral's value; a repaid or fully liquidated loan loses nothing. */
export function lossShareOf(world: World, loan: InterProtocolLoan): number {
  if (loan.status !== "defaulted" || loan.principalUsd8AtOpen <= 0n) return 0;
  const due = valueUsd8(world, loan.asset, loan.due);
  const recovered = valueUsd8(world, loan.collateralAsset, loan.collateral);
  if (due <= recovered) return 0;
  return Math.min(1, Number(due - recovered) / Number(loan.principalUsd8AtOpen));
}

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
        lossShare: lossShareOf(world, loan),
      };
      policy.loanResolved?.(resolved);
      out.push(resolved);
    }
    return out;
  };
}
