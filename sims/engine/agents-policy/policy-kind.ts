/**
 * Which policy plays the agents in a study: "builtin", the fast in-process mirror of the agents
 * (builtin-policy.ts), or "agents", the shipped agents themselves (agents-policy.ts). The
 * differential test (agents-policy.test.ts) holds the two to the same decisions.
 */
import { type BuiltinPolicyParameters, createBuiltinPolicy } from "../builtin-policy.ts";
import type { EnginePolicy } from "../engine-policy.ts";
import { createAgentsPolicy } from "./agents-policy.ts";

export const POLICY_KINDS = ["builtin", "agents"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export function createPolicy(kind: PolicyKind, p: BuiltinPolicyParameters): EnginePolicy {
  return kind === "agents" ? createAgentsPolicy(p) : createBuiltinPolicy(p);
}
