/**
 * What an adapter reports of its protocol's own book for the contagion model (agents/risk/
 * model-features.ts): the figures behind the model's own-protocol features. Floats, USD: these
 * are model inputs only (money never moves on them), read at the adapter, the named float
 * boundary. An adapter that cannot report them leaves `ProtocolAdapter.book` out; its agent can
 * then run only the rule detector.
 */
import type { Address } from "viem";
import type { ProtocolKind } from "./protocol-state.ts";

export type BookObservation = {
  kind: ProtocolKind;
  /** Reference size: deposits it owes (lending, perp, vault) or pool value (AMM) at its start. */
  sizeUsd: number;
  /** Deposits withdrawable at its start, and its equity then. */
  startDepositsUsd: number;
  startEquityUsd: number;
  /** Equity if it met its network obligations in full (below zero by any shortfall). */
  bookEquityUsd: number;
  /** DebtRank capital (equity; assets for AMMs and vaults) at its start and now. */
  capitalStartUsd: number;
  capitalUsd: number;
  halted: boolean;
  /** Clearing finds it insolvent now. */
  insolvent: boolean;
  /** Share of starting equity lost, as its depositors see it. */
  equityLossShare: number;
  /** Claims on halted protocols / starting equity (capped at 1). */
  haltedExposureShare: number;
  /** Share of withdrawable deposits its depositors ask for per step, and that peers pull. */
  runShare: number;
  flightShare: number;
  /** Withdrawals asked for now, and owed and not paid, USD. */
  askedUsd: number;
  unpaidUsd: number;
  /** Lending: borrowed / supplied (USD), its reserves' borrowed USD and cumulative borrow index
   *  (the agent derives the rate from the index's growth between observations), and borrowers'
   *  health factors at the oracle (5th, 25th, 50th percentile, capped at 10; share of debt below 1). */
  lending?: {
    utilisation: number;
    reserves: { key: string; borrowedUsd: number; borrowIndex: number }[];
    debtUsd: number;
    hf: { p05: number; p25: number; p50: number; belowOneDebtShare: number };
  };
  /** Perp: open interest (both sides, USD) and each market's cumulative funding index and price. */
  perp?: {
    openInterestUsd: number;
    markets: { key: string; fundingIndex: number; priceUsd: number }[];
  };
  /** What it stands to lose on each peer, USD. */
  claims: { protocolId: string; usd: number }[];
  /** The tokens its health depends on (collateral, debt, holdings), among the snapshot's prices. */
  exposedTokens: Address[];
};
