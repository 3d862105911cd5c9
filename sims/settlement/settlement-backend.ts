/**
 * Where the engine settles negotiated loans. Two backends, one contract:
 *   - "chain": the LiquidityArbiter on an anvil chain (./chain-backend.ts), the default for studies;
 *   - "ledger": the in-process copy of the contract (../ledger/ledger.ts), for large sweeps.
 * Both give the same simulation results for the same inputs: the ledger is kept equal to the
 * contract by ../ledger/ledger.differential.test.ts, and ./chain-backend.test.ts runs whole
 * studies through both.
 *
 * The engine stays the source of truth for balances either way: a backend moves tokens on the
 * engine's books (../engine/engine-bank.ts) exactly as the contract moves them.
 */
import type { Address, Hex } from "viem";
import type { SettlementPort } from "../../agents/settlement-port.ts";
import type { Agreement, ArbiterDomain } from "../../core/agreement.ts";
import type { World } from "../engine/world.ts";
import type { LedgerEvent } from "../ledger/ledger.ts";

export const SETTLEMENT_KINDS = ["chain", "ledger"] as const;
export type SettlementKind = (typeof SETTLEMENT_KINDS)[number];

/** A protocol's settlement port in the engine: the agents' SettlementPort with claimDefault and the
 *  margin calls (loanHealth, liquidate, topUp) always there. A refusal throws ../ledger/errors.ts
 *  LedgerRevertError named after the contract's error. */
export type EngineSettlementPort = SettlementPort & {
  claimDefault(p: { agreement: Agreement }): Promise<{ txHash: Hex }>;
  loanHealth: NonNullable<SettlementPort["loanHealth"]>;
  liquidate: NonNullable<SettlementPort["liquidate"]>;
  topUp: NonNullable<SettlementPort["topUp"]>;
};

/** The system risk alert the agents' quorum posts (the contract's RiskAlert): `level` holds until
 *  `expiresSec` (unix seconds), then the level in force is 0 again. */
export type PostedAlert = { level: number; expiresSec: bigint };

/** What settlement did, summed over runs. Calls count the same on both backends; transactions
 *  and gas are the chain's (zero on the ledger). */
export type SettlementStats = {
  settle: number;
  repay: number;
  claimDefault: number;
  liquidate: number;
  topUp: number;
  /** Risk alerts posted (raiseAlert on chain). */
  alerts: number;
  /** Calls the contract refused (Expired, ERC20InsufficientBalance, ...). On chain a refusal is
   *  found by simulating the call, so it sends no transaction. */
  refused: number;
  /** Transactions sent to the arbiter (settle, repay, claimDefault, liquidate, topUp, raiseAlert)
   *  and the gas they used. */
  arbiterTransactions: number;
  arbiterGas: bigint;
  /** Times a payer's on-chain token balance was set to the engine's figure before a call (see
   *  set-token-balance.ts; no transaction, no gas). */
  balanceSets: number;
  /** Price-feed rounds posted so the margin oracle sees the engine's prices (chain only). */
  priceUpdates: number;
};

export const emptySettlementStats = (): SettlementStats => ({
  settle: 0,
  repay: 0,
  claimDefault: 0,
  liquidate: 0,
  topUp: 0,
  alerts: 0,
  refused: 0,
  arbiterTransactions: 0,
  arbiterGas: 0n,
  balanceSets: 0,
  priceUpdates: 0,
});

/** a + sign * b, field by field. */
export function combineSettlementStats(
  a: SettlementStats,
  b: SettlementStats,
  sign: 1 | -1 = 1,
): SettlementStats {
  const n = (x: number, y: number) => x + sign * y;
  const g = (x: bigint, y: bigint) => x + BigInt(sign) * y;
  return {
    settle: n(a.settle, b.settle),
    repay: n(a.repay, b.repay),
    claimDefault: n(a.claimDefault, b.claimDefault),
    liquidate: n(a.liquidate, b.liquidate),
    topUp: n(a.topUp, b.topUp),
    alerts: n(a.alerts, b.alerts),
    refused: n(a.refused, b.refused),
    arbiterTransactions: n(a.arbiterTransactions, b.arbiterTransactions),
    arbiterGas: g(a.arbiterGas, b.arbiterGas),
    balanceSets: n(a.balanceSets, b.balanceSets),
    priceUpdates: n(a.priceUpdates, b.priceUpdates),
  };
}

/** Where the chain is, for reports. */
export type ChainInfo = {
  rpcUrl: string;
  chainId: number;
  arbiter: Address;
  /** This program started the anvil (and stops it on close). */
  startedAnvil: boolean;
};

/** One run's settlement: a clean contract and clock, ports for the protocols, the events. */
export type SettlementRun = {
  /** The EIP-712 domain this run's agreements are signed under. */
  readonly domain: ArbiterDomain;
  /** Protocol i's port (its own address as caller). */
  port(protocol: number): EngineSettlementPort;
  /** Posts the agents' system risk alert: margined loans' thresholds tighten by the level while it
   *  holds (the contract's raiseAlert, signed by a quorum of the protocols' agent keys; the ledger's
   *  riskLevel). An alert replaces the last one. */
  postAlert(alert: PostedAlert): Promise<void>;
  /** Settled / Repaid / DefaultClaimed / Liquidated / ToppedUp, as the contract emits them, each
   *  before the call returns. */
  onEvent(listener: (e: LedgerEvent) => void): () => void;
  /** Ends the run (another may then open). */
  close(): Promise<void>;
};

export interface SettlementBackend {
  readonly kind: SettlementKind;
  /** Token address of each asset, in order, or undefined to keep the engine's placeholders. The
   *  world of a run must be built with them (buildWorld `assetAddresses`). */
  tokens(assets: readonly { symbol: string; decimals: number }[]): Promise<Address[] | undefined>;
  /** Starts a run at `world.startTime`, with nothing settled yet. One run at a time. */
  openRun(p: { world: World; now: () => bigint }): Promise<SettlementRun>;
  /** Totals since the backend was created. */
  stats(): SettlementStats;
  /** The chain behind a chain backend. */
  chain(): ChainInfo | undefined;
  /** Releases what the backend holds (stops the anvil it started). Idempotent. */
  close(): Promise<void>;
}
