/**
 * What a simulated protocol asks for when it borrows, shared by the built-in policy and the real
 * agents (need-policy.ts): the RFQ its AgentPolicy makes for the need loan-need.ts computes (the
 * shortfall plus a coverage window, at least a minimum), with a tenor that fits that need (a day
 * for a liquidity gap; two weeks for a vault that would otherwise fire-sell illiquid backing).
 */
import type { AgentPolicy } from "../../../agents/agent-policy.ts";
import type { RfqBody } from "../../../negotiation/wire/schemas.ts";
import type { ProtocolState } from "../../../protocol-adapters/protocol-state.ts";
import { loanNeed } from "../loan-need.ts";
import type { World } from "../world.ts";

export type LoanRequestParameters = {
  /** Smallest loan worth arranging, USD-8. */
  minLoanUsd8: bigint;
  /** Steps of withdrawals the loan should also cover. */
  coverageSteps: number;
  tenorSeconds: number;
  illiquidTenorSeconds: number;
};

/** The RFQ protocol `b` (whose adapter reported `state`) broadcasts now, or undefined. */
export function loanRequest(
  world: World,
  b: number,
  state: ProtocolState,
  policy: AgentPolicy,
  o: LoanRequestParameters,
): RfqBody | undefined {
  // Only a loan that changes the outcome, sized for the episode (loan-need.ts).
  const need = loanNeed(world, b, { minLoanUsd8: o.minLoanUsd8, coverageSteps: o.coverageSteps });
  if (!need) return undefined;
  const asset = world.assets[need.asset]!;
  const own = state.liquidity.find((l) => l.token === asset.address);
  const asked: ProtocolState = {
    ...state,
    liquidity: [
      {
        token: asset.address,
        symbol: asset.symbol.slice(0, 16),
        decimals: asset.decimals,
        liquid: own?.liquid ?? 0n,
        net: -need.principal,
      },
    ],
  };
  const request = policy.borrowRequest(asked);
  if (!request) return undefined;
  return { ...request, tenor: need.without === "fire sale" ? o.illiquidTenorSeconds : o.tenorSeconds };
}
