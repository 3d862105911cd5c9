/**
 * agents/: one protocol's negotiator. `startAgent` wires an agent (endpoint, durable state, resume)
 * the way the runner and the simulations do; `createAgent` is the machine itself for custom wiring.
 */
export { type Activity, type Agent, type CreateAgentParameters, createAgent } from "./agent.ts";
export {
  type AgentPolicy,
  createDefaultPolicy,
  type DefaultPolicyParameters,
  defaultPolicyParameters,
  type OpenLoan,
  type TokenDecimals,
} from "./agent-policy.ts";
export { type CreateChainSettlementParameters, createChainSettlement } from "./chain-settlement.ts";
export { requiredCollateral } from "./collateral.ts";
export { SettlementClaimedElsewhereError } from "./durable-settlement.ts";
export type { Liquidation, LoanStatus, MarginHealth, SettlementPort } from "./settlement-port.ts";
export {
  type StartAgentDurableParameters,
  type StartAgentParameters,
  type StartAgentReturnType,
  startAgent,
} from "./start-agent.ts";
