/**
 * The inputs of the contagion early-warning model, in order: what a protocol's agent observes at
 * the end of an hour (its own books, prices, the shared risk picture, its neighbours'
 * exposure-weighted stress). The simulator's dataset (sims/dataset/columns.ts, which documents
 * each one) writes exactly these columns; sims/dataset/columns.test.ts checks the two agree.
 */
export const CONTAGION_FEATURES = [
  "is_lending",
  "is_amm",
  "is_perp",
  "is_vault",
  "log_size_usd",
  "utilisation",
  "borrow_rate",
  "funding_rate",
  "open_interest_share",
  "liquidation_share",
  "hf_p05",
  "hf_p25",
  "hf_p50",
  "hf_below_1_share",
  "withdrawal_share",
  "unpaid_share",
  "run_intensity",
  "flight_share",
  "equity_share",
  "equity_loss_share",
  "halted_exposure_share",
  "exposure_to_peers_share",
  "neighbour_stress",
  "neighbour_halted_share",
  "creditor_stress",
  "own_shortfall_share",
  "halted",
  "insolvent",
  "exposed_drawdown",
  "exposed_return_1h",
  "exposed_return_24h",
  "exposed_vol_24h",
  "market_max_drawdown",
  "market_return_1h",
  "market_return_24h",
  "market_vol_24h",
  "system_debtrank",
  "system_shortfall_share",
  "system_halted_share",
  "system_insolvent_share",
  "system_liquidation_share",
  "system_unpaid_share",
] as const;

export type ContagionFeature = (typeof CONTAGION_FEATURES)[number];

/** Label horizons, hours (columns event_<h>h, censored_<h>h of the dataset). */
export const CONTAGION_HORIZONS = [6, 24, 72] as const;
export type ContagionHorizon = (typeof CONTAGION_HORIZONS)[number];
