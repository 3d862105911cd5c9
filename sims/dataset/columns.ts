/**
 * The dataset's columns, defined once: name, Arrow type, role (key, feature, label) and meaning.
 * The collector fills them in this order, the Arrow writer builds its schema from them, and the
 * schema file (schema.json beside the data) is written from them.
 *
 * Features are what protocol i's agent can observe at the end of step t (its own books, public
 * prices, the shared risk picture); labels look forward from t. Rows are per protocol per step.
 */
export type ColumnRole = "key" | "feature" | "label";
export type ColumnType = "utf8" | "int32" | "int8" | "float32" | "float64";
export type ColumnDef = { name: string; type: ColumnType; role: ColumnRole; description: string };

const key = (name: string, type: ColumnType, description: string): ColumnDef => ({
  name,
  type,
  role: "key",
  description,
});
const feature = (name: string, description: string): ColumnDef => ({
  name,
  type: "float32",
  role: "feature",
  description,
});
const label = (name: string, type: ColumnType, description: string): ColumnDef => ({
  name,
  type,
  role: "label",
  description,
});

/** Label horizons, hours. */
export const HORIZONS_HOURS = [6, 24, 72] as const;

export const KEY_COLUMNS: readonly ColumnDef[] = [
  key("family", "utf8", "Scenario family (hold out whole families: never split rows of one family)."),
  key("seed", "int32", "Seed of the family draw (with family: one run)."),
  key("scenario", "utf8", "Name of the sampled scenario."),
  key("protocol", "utf8", "Protocol id within the scenario."),
  key("protocol_index", "int32", "Protocol index within the scenario."),
  key("kind", "utf8", "lending, amm, perp or vault."),
  key("step", "int32", "Engine step (0 = start)."),
  key("hour", "float32", "Hours since the start of the run."),
  key("protocols_in_run", "int32", "Protocols in the scenario."),
];

export const FEATURE_COLUMNS: readonly ColumnDef[] = [
  feature("is_lending", "1 for a lending market."),
  feature("is_amm", "1 for an AMM."),
  feature("is_perp", "1 for a perp exchange."),
  feature("is_vault", "1 for a vault."),
  feature(
    "log_size_usd",
    "log10 of the protocol's starting size: deposits it owes (lending, perp, vault) or pool value (AMM), USD.",
  ),
  feature(
    "utilisation",
    "Lending: borrowed / supplied over its reserves, by USD value at current prices (0 otherwise).",
  ),
  feature("borrow_rate", "Lending: the borrow index's growth this step, annualised (0 otherwise)."),
  feature(
    "funding_rate",
    "Perp: funding paid by longs this step as a share of price, annualised; notional-weighted over its markets (0 otherwise).",
  ),
  feature("open_interest_share", "Perp: open interest (both sides, USD) / starting size (0 otherwise)."),
  feature(
    "liquidation_share",
    "Fall this step in borrowers' debt (lending) or open interest (perp), USD / starting size: liquidations and deleveraging.",
  ),
  feature(
    "hf_p05",
    "Lending: 5th percentile of borrowers' health factors at the oracle (capped at 10; 10 with no borrowers).",
  ),
  feature("hf_p25", "Lending: 25th percentile of health factors (capped at 10)."),
  feature("hf_p50", "Lending: median health factor (capped at 10)."),
  feature("hf_below_1_share", "Lending: share of debt in positions with health factor below 1."),
  feature("withdrawal_share", "Withdrawals depositors asked for this step, USD / starting deposits."),
  feature("unpaid_share", "Withdrawals owed and not paid, USD / starting deposits."),
  feature(
    "run_intensity",
    "Share of withdrawable deposits its depositors ask for per step (the engine's run rule).",
  ),
  feature("flight_share", "Share of peers' deposits here that peers pull per step."),
  feature("equity_share", "Book equity now / starting equity (network obligations met in full; may be < 0)."),
  feature("equity_loss_share", "Share of starting equity lost (as depositors observe it)."),
  feature("halted_exposure_share", "Claims on halted protocols / starting equity (capped at 1)."),
  feature(
    "exposure_to_peers_share",
    "What it stands to lose on peers (exposure row sum), USD / starting size.",
  ),
  feature(
    "neighbour_stress",
    "Exposure-weighted mean of its debtors' stress (equity loss share; 1 if halted or insolvent).",
  ),
  feature("neighbour_halted_share", "Exposure-weighted share of its debtors that are halted."),
  feature("creditor_stress", "Mean stress of the protocols exposed to it (who may pull from it)."),
  feature("own_shortfall_share", "Clearing shortfall (max(0, -book equity)) / starting size."),
  feature("halted", "1 if it has halted withdrawals."),
  feature("insolvent", "1 if clearing finds it insolvent now."),
  feature("exposed_drawdown", "Drawdown from the start of the assets its health depends on (worst of them)."),
  feature("exposed_return_1h", "Worst 1-hour log return of the assets it is exposed to."),
  feature("exposed_return_24h", "Worst 24-hour log return of the assets it is exposed to."),
  feature(
    "exposed_vol_24h",
    "Highest realised volatility (24 h of hourly log returns, annualised) of the assets it is exposed to.",
  ),
  feature("market_max_drawdown", "Largest drawdown from the start over all assets."),
  feature("market_return_1h", "Worst 1-hour log return over all assets."),
  feature("market_return_24h", "Worst 24-hour log return over all assets."),
  feature("market_vol_24h", "Highest 24-hour realised volatility over all assets, annualised."),
  feature("system_debtrank", "DebtRank of the network now (share of capital at risk)."),
  feature("system_shortfall_share", "Sum of all clearing shortfalls / sum of starting sizes."),
  feature("system_halted_share", "Share of protocols halted."),
  feature("system_insolvent_share", "Share of protocols insolvent now."),
  feature(
    "system_liquidation_share",
    "Liquidations this step over all protocols, USD / sum of starting sizes.",
  ),
  feature("system_unpaid_share", "Unpaid withdrawals over all protocols, USD / sum of starting deposits."),
];

export const LABEL_COLUMNS: readonly ColumnDef[] = [
  label(
    "distressed_now",
    "int8",
    "1 if halted or insolvent at this step (rows to drop when training a warning model: the event has happened).",
  ),
  ...HORIZONS_HOURS.flatMap((h) => [
    label(
      `event_${h}h`,
      "int8",
      `1 if not distressed now and it becomes insolvent or halts within the next ${h} h.`,
    ),
    label(
      `censored_${h}h`,
      "int8",
      `1 if the run ends within ${h} h and no event happened by then (label ${h} h unknown; 0 by convention).`,
    ),
  ]),
  label(
    "hours_to_event",
    "float32",
    "Hours until it first becomes insolvent or halts after this step (NaN if never in the run).",
  ),
  label(
    "shortfall_72h_usd",
    "float64",
    "Largest clearing shortfall (max(0, -book equity), USD) in the next 72 h.",
  ),
];

export const COLUMNS: readonly ColumnDef[] = [...KEY_COLUMNS, ...FEATURE_COLUMNS, ...LABEL_COLUMNS];
export const FEATURE_NAMES: readonly string[] = FEATURE_COLUMNS.map((c) => c.name);
export const DATASET_SCHEMA_VERSION = 1;
