/**
 * protocol-adapters/: the seam between an agent and its protocol (docs/ADAPTERS.md). The interface
 * and the state it reports, the simulated protocols, and the adapters over EVM contracts.
 */

export { EvmAdapterInvalidActionError, EvmAdapterWriteError } from "./evm/errors.ts";
export type { EvmAdapterClients } from "./evm/evm-adapter-clients.ts";
export {
  EvmLendingPoolAdapter,
  type EvmLendingPoolAdapterParameters,
} from "./evm/evm-lending-pool-adapter.ts";
export { EvmVaultAdapter, type EvmVaultAdapterParameters } from "./evm/evm-vault-adapter.ts";
export type { AdapterAction, ProtocolAdapter } from "./protocol-adapter.ts";
export {
  PROTOCOL_STATE_VERSION,
  ProtocolKind,
  type ProtocolState,
  type ProtocolStateJson,
  ProtocolStateSchema,
} from "./protocol-state.ts";
export {
  borrowRateBps,
  type KinkedRateModel,
  supplyRateBps,
  utilizationBps,
} from "./simulated/interest-rate-model.ts";
export { SimulatedAmm, type SimulatedAmmParameters } from "./simulated/simulated-amm.ts";
export {
  SimulatedLendingMarket,
  type SimulatedLendingMarketParameters,
} from "./simulated/simulated-lending-market.ts";
export {
  SimulatedPerpExchange,
  type SimulatedPerpExchangeParameters,
} from "./simulated/simulated-perp-exchange.ts";
export {
  SimulatedVault,
  type SimulatedVaultParameters,
  type VaultBacking,
} from "./simulated/simulated-vault.ts";
export type { TokenInfo } from "./simulated/token-info.ts";
