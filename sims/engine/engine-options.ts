/**
 * Engine knobs that are modelling assumptions rather than scenario facts. Every default is
 * stated here once, so a report can print what a run assumed.
 */
import type { KinkedRateModel } from "../../protocol-adapters/simulated/interest-rate-model.ts";

export type EngineOptions = {
  /** Borrowers modelled per lending protocol (their debts add up to the scenario's borrowed). */
  positionsPerLending: number;
  /** Traders per side per perp market. */
  tradersPerSide: number;
  /** Own funds of a lending protocol (safety module, surplus buffer), share of its deposits. */
  lendingTreasuryShare: number;
  /** Share of deposits a lending protocol keeps liquid; cash above it can be lent to peers. */
  lendingBufferShare: number;
  /** Rate model for every reserve (scenarios do not specify one). */
  rateModel: KinkedRateModel;
  /** Share of a price dislocation that arbitrage removes per hour. */
  arbitrageRecoveryPerHour: number;
  /** Share of liquidation and fire-sale flow that goes through the scenario's venues (the rest is
   *  absorbed at the market price by deeper markets the scenario does not model). */
  venueShareOfSales: number;
  /** Per side depth (USD) of the venue where an asset without a pool in the scenario trades. */
  fallbackDepthUsd: number;
  /** Share of a liquidated perp long the exchange (or its hedgers) sells spot. */
  perpHedgeShare: number;
  /** Discount on illiquid assets sold in a hurry where no pool exists. */
  fireSaleDiscount: number;
  /** Funding per hour at full long/short imbalance, bps of notional. */
  fundingBpsPerHour: number;
  /** Liquidation rounds per step (each round sees the prices the previous one moved). */
  liquidationRounds: number;
  /** Share of trader collateral kept as margin in open positions (the rest is idle). */
  perpMarginShare: number;
  /** Unix seconds of step 0 (the episode start for historical scenarios, when given). */
  startTime: bigint | undefined;
};

export const defaultEngineOptions: EngineOptions = {
  positionsPerLending: 400,
  tradersPerSide: 40,
  lendingTreasuryShare: 0.01,
  lendingBufferShare: 0.1,
  rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
  arbitrageRecoveryPerHour: 0.25,
  venueShareOfSales: 0.5,
  fallbackDepthUsd: 25_000_000,
  perpHedgeShare: 0.5,
  fireSaleDiscount: 0.1,
  fundingBpsPerHour: 5,
  liquidationRounds: 4,
  perpMarginShare: 0.6,
  startTime: undefined,
};
