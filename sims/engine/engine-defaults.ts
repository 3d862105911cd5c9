/**
 * What the engine assumes where a scenario is silent about liquidators or distress, each with
 * its stated reason or source. A scenario overrides any of it (scenario-engine-schema.ts), and
 * every report prints what a run used.
 */
import type { ScenarioProtocol } from "../scenarios/scenario-schema.ts";

export type LiquidatorDefaults = {
  capitalUsdPerHour: number;
  gasUsd: number;
  gasUsdCongested: number;
  congestionAtHourlyMove: number;
  keeperMargin: number;
  source?: string | undefined;
  assumption?: string | undefined;
};

export const DEFAULT_LIQUIDATORS: LiquidatorDefaults = {
  capitalUsdPerHour: 1_000_000_000,
  gasUsd: 30,
  gasUsdCongested: 300,
  congestionAtHourlyMove: 0.05,
  keeperMargin: 0.02,
  assumption:
    "Capital: $1B of debt repaid per hour, well above the largest hour in the data (Aave v2 WETH collateral, $21.5M liquidated in the 12:00 hour of 19 May 2021, ../shared/data/market README section 8), since flash loans make liquidators' capital elastic. Gas: about 300k gas per liquidation at 50 gwei and ETH $2,000 ($30), ten times that when blocks are full. Full congestion at a 5% hourly move: crashes fill blocks with liquidations and arbitrage (Black Thursday, MakerDAO's post-mortem of March 2020). Keepers want 2% below the market for auctioned collateral.",
};

export type DepositorRunRule = {
  perEquityLoss: number;
  perHaltedExposure: number;
  perDrawdown: number;
  drawdownFloor: number;
  maxPerHour: number;
  maxShare: number;
};

export type DistressDefaults = {
  /** Halt when equity falls below this share of starting equity; undefined: never. */
  haltBelowEquityShare: number | undefined;
  /** Halt when withdrawals owed and unpaid exceed this share of starting deposits; undefined: never. */
  haltAboveUnpaidShare: number | undefined;
  run: DepositorRunRule;
  source?: string | undefined;
  assumption?: string | undefined;
};

const NO_RUN: DepositorRunRule = {
  perEquityLoss: 0,
  perHaltedExposure: 0,
  perDrawdown: 0,
  drawdownFloor: 1,
  maxPerHour: 1,
  maxShare: 1,
};

export const DEFAULT_DISTRESS: Record<ScenarioProtocol["kind"], DistressDefaults> = {
  lending: {
    haltBelowEquityShare: 0,
    haltAboveUnpaidShare: undefined,
    run: {
      perEquityLoss: 0.05,
      perHaltedExposure: 0.05,
      perDrawdown: 0.012,
      drawdownFloor: 0.2,
      maxPerHour: 0.05,
      maxShare: 0.5,
    },
    source:
      "perDrawdown: Aave v2 WETH deposits fell from about 923k to 700k ETH (-24%, about 0.27% an hour) between 19 May 2021 18:00 and 24 May 00:00 UTC while ETH traded 31-54% below its 12 May close of $4,292 (../shared/data/market/aave_v2_WETH_market_1h_messari-subgraph token_balance; price_ETHUSD_1h_bitfinex): 0.27% / (0.42 - 0.20) = 0.012 per hour per unit of drawdown above a 20% floor. Stated assumptions: an insolvent pooled market is paused by governance (halt at zero equity); it does not halt for illiquidity (withdrawals wait for utilisation to fall); depositors withdraw 5% an hour per unit of equity lost or of exposure to halted peers, at most 5% an hour and half the deposits.",
  },
  vault: {
    haltBelowEquityShare: 0,
    haltAboveUnpaidShare: 0.25,
    run: {
      perEquityLoss: 0.1,
      perHaltedExposure: 0.05,
      perDrawdown: 0,
      drawdownFloor: 1,
      maxPerHour: 0.05,
      maxShare: 0.6,
    },
    assumption:
      "A fund whose backing no longer covers its liabilities at market, or which owes a quarter of its starting liabilities in unpaid redemptions, gates redemptions (as Celsius did on 12 June 2022); its depositors redeem 10% an hour per unit of equity lost and 5% per unit of exposure to halted peers, at most 5% an hour and 60% of liabilities. Drawdowns of the backing reach depositors through the vault's equity.",
  },
  perp: {
    haltBelowEquityShare: 0,
    haltAboveUnpaidShare: 0.25,
    run: {
      perEquityLoss: 0.1,
      perHaltedExposure: 0.05,
      perDrawdown: 0,
      drawdownFloor: 1,
      maxPerHour: 0.05,
      maxShare: 0.6,
    },
    assumption:
      "An exchange whose insurance fund and equity are gone, or which owes a quarter of its traders' starting collateral in unpaid withdrawals, halts withdrawals (as FTX did on 8 November 2022); traders withdraw idle collateral at 10% an hour per unit of equity lost, 5% per unit of exposure to halted peers, at most 5% an hour and 60% of collateral.",
  },
  amm: {
    haltBelowEquityShare: undefined,
    haltAboveUnpaidShare: undefined,
    run: NO_RUN,
    assumption:
      "An AMM's pools belong to its liquidity providers (assets equal liabilities), its contracts cannot halt, and LP withdrawals do not change anyone's solvency: no halts, no runs.",
  },
};
