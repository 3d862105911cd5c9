/**
 * The AgentPolicy every protocol's agent runs in a simulation, built over the world's tokens and
 * prices: the rule policy (agents/agent-policy.ts) or the learned valuation model's
 * (agents/model-driven-policy.ts). The built-in policy and the real agents (agents-policy/) use
 * this one function, so both decide with the same policy, margins included.
 */
import type { Hex } from "viem";
import { type AgentPolicy, createDefaultPolicy } from "../../agents/agent-policy.ts";
import { createModelDrivenPolicy } from "../../agents/model-driven-policy.ts";
import { volatilityMargin } from "../../agents/risk-terms.ts";
import { marginWithin } from "../../negotiation/strategies/margin-terms.ts";
import type { BuiltinPolicyParameters } from "./builtin-policy.ts";
import type { CollateralVolatility } from "./collateral-volatility.ts";
import type { World } from "./world.ts";

export type WorldAgentPolicyParameters = Pick<
  BuiltinPolicyParameters,
  "lending" | "valuationModel" | "onValuation" | "agentPolicy"
> & {
  /** The tenor a borrower asks for by default, seconds. */
  tenorSeconds: number;
  /** Margined loans: lenders ask for a threshold and bonus from the collateral's volatility seen
   *  so far (or, model-driven, from the valuation interval) over `horizonHours` (default one step,
   *  as lenders check every step); borrowers accept margins within marginWithin. Absent: unmargined. */
  margin?: { volatility: CollateralVolatility; horizonHours?: number | undefined } | undefined;
};

export function worldAgentPolicy(world: World, p: WorldAgentPolicyParameters): AgentPolicy {
  const byAddress = new Map(world.assets.map((a, i) => [a.address.toLowerCase(), i]));
  const assetOf = (t: Hex) => byAddress.get(t.toLowerCase());
  const margins = p.margin;
  const horizonSeconds = Math.round((margins?.horizonHours ?? world.stepHours) * 3600);
  const params = {
    tenor: p.tenorSeconds,
    ...(margins
      ? {
          lenderMargin: volatilityMargin(
            (t: Hex) => {
              const i = assetOf(t);
              return i === undefined ? undefined : margins.volatility.of(i);
            },
            { horizonSeconds },
          ),
          acceptedMargin: marginWithin(),
        }
      : {}),
    ...p.agentPolicy,
    decimals: (t: Hex) => {
      const i = assetOf(t);
      return i === undefined ? undefined : world.assets[i]!.decimals;
    },
    oracle: (t: Hex) => {
      const i = assetOf(t);
      return i === undefined ? undefined : world.price[i];
    },
  };
  if (p.lending !== "model-driven") return createDefaultPolicy(params);
  if (!p.valuationModel) throw new Error('lending "model-driven" needs a valuationModel (models/valuation).');
  return createModelDrivenPolicy({
    ...params,
    model: p.valuationModel,
    ...(margins ? { modelMargin: { horizonSeconds } } : {}),
    ...(p.onValuation ? { onEstimate: p.onValuation } : {}),
  });
}
