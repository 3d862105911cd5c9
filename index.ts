/**
 * liquidity-negotiation: agents that negotiate loans between DeFi protocols over NATS and settle
 * them on the LiquidityArbiter contract. This entry holds what most integrators need; each module
 * has its own entry for the rest (`liquidity-negotiation/agents`, `/negotiation`, `/arbitration`,
 * `/protocol-adapters`, `/operator`, `/core`), and test helpers live in `/testing`.
 */
export {
  type Activity,
  type Agent,
  type AgentPolicy,
  createAgent,
  createChainSettlement,
  createDefaultPolicy,
  type SettlementPort,
  type StartAgentParameters,
  type StartAgentReturnType,
  startAgent,
} from "./agents/index.ts";
export {
  type ArbiterClients,
  createArbiterClients,
  deployArbiter,
  registerAgent,
} from "./arbitration/index.ts";
export {
  type Agreement,
  type ArbiterDomain,
  BaseError,
  createLogger,
  createSigner,
  type Logger,
  type Signer,
} from "./core/index.ts";
export {
  createEndpoint,
  createInProcessBus,
  createNatsTransport,
  createPeerRegistry,
  type Endpoint,
  type PeerInfo,
  type PeerRegistry,
  type Transport,
} from "./negotiation/index.ts";
export {
  type AdapterContext,
  type AgentConfig,
  AgentConfigSchema,
  agentConfigJsonSchema,
  loadAgentConfig,
  type RunningAgent,
  runAgent,
} from "./operator/index.ts";
export type { AdapterAction, ProtocolAdapter, ProtocolState } from "./protocol-adapters/index.ts";
