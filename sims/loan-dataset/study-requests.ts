/**
 * The study's own loan requests, for the loan dataset: a protocol asks for a loan exactly when
 * the builtin policy's borrower would (sims/engine/loan-need.ts: the loan changes its outcome),
 * for the principal, collateral, rate cap and tenor the builtin policy would put in its RFQ
 * (agents/agent-policy.ts borrowRequest; 24 h for a liquidity gap, 336 h for a vault that would
 * otherwise fire-sell). The model is then trained on the distribution it is asked about in the
 * study (distressed borrowers, their caps) rather than on random proposals.
 */
import type { AgentPolicy } from "../../agents/agent-policy.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import { loanNeed } from "../engine/loan-need.ts";
import type { World } from "../engine/world.ts";

export type StudyRequestParameters = {
  /** Smallest loan worth arranging, USD-8 (the builtin policy's default: $1M). */
  minLoanUsd8: bigint;
  coverageHours: number;
  tenorHours: number;
  illiquidTenorHours: number;
};

export const defaultStudyRequestParameters: StudyRequestParameters = {
  minLoanUsd8: 1_000_000n * 100_000_000n,
  coverageHours: 12,
  tenorHours: 24,
  illiquidTenorHours: 336,
};

export type StudyRequest = {
  asset: number;
  principal: bigint;
  collateralAsset: number;
  collateral: bigint;
  maxRateBps: number;
  tenorHours: number;
};

/** The RFQ borrower `b` would broadcast this step in the study, or undefined if it would not. */
export function studyRequest(
  world: World,
  b: number,
  state: ProtocolState,
  rule: AgentPolicy,
  p: StudyRequestParameters = defaultStudyRequestParameters,
): StudyRequest | undefined {
  const coverageSteps = Math.round(p.coverageHours / world.stepHours);
  const need = loanNeed(world, b, { minLoanUsd8: p.minLoanUsd8, coverageSteps });
  if (!need) return undefined;
  const asset = world.assets[need.asset]!;
  const own = state.liquidity.find((l) => l.token === asset.address);
  const request = rule.borrowRequest({
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
  });
  if (!request?.collateralToken || request.collateral === undefined) return undefined;
  const token = request.collateralToken.toLowerCase();
  const collateralAsset = world.assets.findIndex((a) => a.address.toLowerCase() === token);
  if (collateralAsset < 0) return undefined;
  return {
    asset: need.asset,
    principal: request.principal,
    collateralAsset,
    collateral: request.collateral,
    maxRateBps: request.maxRateBps,
    tenorHours: need.without === "fire sale" ? p.illiquidTenorHours : p.tenorHours,
  };
}
