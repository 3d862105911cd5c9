/**
 * The AgentPolicy every protocol's agent runs in a simulation, built over the world's tokens and
 * prices: the rule policy (agents/agent-policy.ts) or the learned valuation model's
 * (agents/model-driven-policy.ts). The built-in policy and the real agents (agents-policy/) use
 * this one function, so both decide with the same policy.
 */
import type { Hex } from "viem";
import { type AgentPolicy, createDefaultPolicy } from "../../agents/agent-policy.ts";
import { createModelDrivenPolicy } from "../../agents/model-driven-policy.ts";
import type { BuiltinPolicyParameters } from "./builtin-policy.ts";
import type { World } from "./world.ts";

export type WorldAgentPolicyParameters = Pick<
  BuiltinPolicyParameters,
  "lending" | "valuationModel" | "onValuation" | "agentPolicy"
> & {
  /** The tenor a borrower asks for by default, seconds. */
  tenorSeconds: number;
};

export function worldAgentPolicy(world: World, p: WorldAgentPolicyParameters): AgentPolicy {
  const byAddress = new Map(world.assets.map((a, i) => [a.address.toLowerCase(), i]));
  const params = {
    tenor: p.tenorSeconds,
    ...p.agentPolicy,
    decimals: (t: Hex) => {
      const i = byAddress.get(t.toLowerCase());
      return i === undefined ? undefined : world.assets[i]!.decimals;
    },
    oracle: (t: Hex) => {
      const i = byAddress.get(t.toLowerCase());
      return i === undefined ? undefined : world.price[i];
    },
  };
  if (p.lending !== "model-driven") return createDefaultPolicy(params);
  if (!p.valuationModel) throw new Error('lending "model-driven" needs a valuationModel (models/valuation).');
  return createModelDrivenPolicy({
    ...params,
    model: p.valuationModel,
    ...(p.onValuation ? { onEstimate: p.onValuation } : {}),
  });
}
