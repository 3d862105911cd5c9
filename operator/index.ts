/**
 * operator/: running an agent from a config file. The config schema (and its JSON Schema), the
 * keystore, the runner behind `npm run agent` / the `liq-agent` bin, the adapter context a module
 * adapter receives, the agents' status telemetry, and the on-chain peer registry.
 */
export {
  AGENT_CONFIG_VERSION,
  type AgentConfig,
  type AgentConfigInput,
  AgentConfigSchema,
  agentConfigJsonSchema,
  type TokenConfig,
} from "./agent-config.ts";
export {
  AGENT_STATUS_VERSION,
  type AgentStatus,
  AgentStatusSchema,
  OPS_SUBJECT_PREFIX,
  STATUS_WILDCARD,
  type StatusPublisher,
  startStatusPublisher,
  statusSubject,
} from "./agent-status.ts";
export { type ChainPeerRegistry, createChainPeerRegistry } from "./chain-peer-registry.ts";
export {
  type AdapterContext,
  type AdapterFactory,
  BUILTIN_ADAPTERS,
  createAdapter,
} from "./create-adapter.ts";
export { AdapterLoadError, AgentConfigError, KeystoreError, MissingSecretError } from "./errors.ts";
export { createKeystore, decryptKeystore, type KeystoreJson, readKeystore } from "./keystore.ts";
export { type LoadedAgentConfig, loadAgentConfig, parseAgentConfig } from "./load-agent-config.ts";
export { agentInboxPrefix, natsConnectOptions } from "./nats-options.ts";
export { createOperatorLogger, type OperatorLogger, REDACTED } from "./operator-log.ts";
export { AgentStartError, type RunAgentParameters, type RunningAgent, runAgent } from "./run-agent.ts";
