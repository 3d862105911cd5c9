/**
 * The parts of a scenario that the engine's mechanics read beyond prices and protocol sizes:
 * where each depth and size comes from, the outside market each sold asset trades in (depth and
 * arbitrage), liquidators (capital, gas), oracles, Aave e-mode categories, and distress (when a
 * protocol halts withdrawals and how hard its depositors run). Imported by scenario-schema.ts,
 * which places these pieces in the scenario; kept here so the schema's asset and path sections
 * and these engine sections can change independently.
 *
 * Every figure that sizes the world (a pool's depth, a protocol's balances, a cross-holding, a
 * run, an outside market's depth) carries exactly one of `source` (a citation) or `assumption`
 * (a stated reason): the schema refuses a figure with neither.
 */
import { z } from "zod";

const text = (what: string, min = 1) =>
  z
    .string({ error: `expected ${what} as a string` })
    .min(min, `expected ${what} (at least ${min} characters)`)
    .max(4000);

function between(min: number, max: number) {
  const message = `expected a number between ${min} and ${max}`;
  return z.number({ error: message }).min(min, message).max(max, message);
}

function above(min: number, max: number) {
  const message = `expected a number above ${min} and at most ${max}`;
  return z.number({ error: message }).gt(min, message).max(max, message);
}

const positive = z.number({ error: "expected a positive number" }).positive("expected a positive number");
const nonNegative = z.number({ error: "expected a number >= 0" }).nonnegative("expected a number >= 0");

const symbol = z
  .string({ error: "expected a token symbol" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$/, "expected a token symbol: 1-16 letters, digits, '.' or '-'");

// ---------------------------------------------------------------------------------------------
// Provenance
// ---------------------------------------------------------------------------------------------

/** Fields every sized object carries; exactly one must be given (checked by checkProvenance). */
export const provenance = {
  /** A citation for the figures: report, dashboard, post-mortem, with its date. */
  source: text("a source citation", 10).optional(),
  /** Why the figures are what they are, where no source gives them. */
  assumption: text("a stated assumption", 10).optional(),
};

export type Provenance = { source?: string | undefined; assumption?: string | undefined };

export const PROVENANCE_MESSAGE =
  'expected a "source" (a citation for this figure) or an "assumption" (the stated reason for it)';

/** Exactly one of source and assumption; `issue` reports at `path` otherwise. */
export function checkProvenance(
  issue: (path: (string | number)[], message: string) => void,
  path: (string | number)[],
  x: Provenance,
): void {
  if (x.source === undefined && x.assumption === undefined) issue([...path, "source"], PROVENANCE_MESSAGE);
  else if (x.source !== undefined && x.assumption !== undefined)
    issue([...path, "assumption"], 'expected either "source" or "assumption", not both');
}

/** "source: ..." or "assumption: ...", for reports. */
export const provenanceText = (x: Provenance): string =>
  x.source !== undefined ? `source: ${x.source}` : `assumption: ${x.assumption ?? "(none)"}`;

// ---------------------------------------------------------------------------------------------
// Outside markets and arbitrage
// ---------------------------------------------------------------------------------------------

/**
 * Where an asset trades outside the scenario's own pools (centralised order books, OTC, other
 * chains). The asset's scenario price path is this market's price; the engine's sales move it by
 * a square-root law through `depthUsd`, and arbitrage ties the scenario's pool for the asset to it.
 */
export const OutsideMarket = z.strictObject({
  asset: symbol,
  /** USD of the asset that can be sold within `priceMove` below the mid price (the bid side of
   *  "+-2% depth"), summed over outside venues. */
  depthUsd: positive,
  /** The price move at which `depthUsd` is quoted: 0.02 for "2% depth". */
  priceMove: above(0, 0.5).default(0.02),
  /** Share of the engine's selling pressure that new orders absorb per hour (books refilling). */
  refillPerHour: above(0, 1).default(0.5),
  /** Arbitrage between the scenario's pool for this asset and this market. Required when the asset
   *  trades in a scenario pool. */
  arbitrage: z
    .strictObject({
      /** Deviation at which arbitrageurs trade, bps: the pool's fee, outside fees, gas and latency
       *  risk. A pool price cannot stay further below the outside price while they have capacity. */
      bandBps: z
        .number({ error: "expected a whole number of bps between 0 and 5000" })
        .int("expected a whole number of bps between 0 and 5000")
        .min(0, "expected a whole number of bps between 0 and 5000")
        .max(5000, "expected a whole number of bps between 0 and 5000"),
      /** USD of the asset arbitrageurs can buy in the pool and resell outside per hour (their
       *  capital times the round trips their latency allows). */
      capacityUsdPerHour: nonNegative,
    })
    .optional(),
  ...provenance,
});
export type OutsideMarketJson = z.input<typeof OutsideMarket>;

// ---------------------------------------------------------------------------------------------
// Liquidators, oracles, e-mode, auctions
// ---------------------------------------------------------------------------------------------

/** Who liquidates, and at what cost. Liquidations that do not pay for their gas do not happen;
 *  liquidators repay at most `capitalUsdPerHour` of debt per hour across the scenario. */
export const Liquidators = z.strictObject({
  /** USD of debt liquidators can repay per hour (own capital plus flash loans). */
  capitalUsdPerHour: positive,
  /** Gas cost of one liquidation transaction in calm conditions, USD. */
  gasUsd: nonNegative,
  /** Gas cost of one liquidation at full congestion, USD. */
  gasUsdCongested: nonNegative,
  /** Largest hourly price move (any asset) at which the chain is fully congested; congestion
   *  rises linearly to it from zero. */
  congestionAtHourlyMove: above(0, 1),
  /** Margin a keeper needs below the market price to buy auctioned collateral (gas, risk). */
  keeperMargin: between(0, 0.5).default(0.02),
  ...provenance,
});
export type LiquidatorsJson = z.input<typeof Liquidators>;

/** A push oracle: the on-chain answer updates when the market moves more than `deviation` from
 *  it, or when `heartbeatHours` have passed since the last update (Chainlink data feeds). */
export const Oracle = z.strictObject({
  deviation: between(0, 0.5),
  heartbeatHours: positive,
  /** Per-asset feeds with their own parameters. */
  feeds: z
    .array(z.strictObject({ asset: symbol, deviation: between(0, 0.5), heartbeatHours: positive }))
    .default([]),
  ...provenance,
});

/** An Aave v3 efficiency-mode category: positions whose collateral and debt are both in
 *  `assets` borrow and are liquidated with the category's parameters. */
export const EmodeCategory = z.strictObject({
  id: z.string().min(1).max(64),
  assets: z.array(symbol).min(1, "expected at least one asset"),
  ltv: between(0, 1),
  liquidationThreshold: above(0, 1),
  liquidationBonus: between(0, 0.5),
  /** Share of eligible positions (collateral and debt both in the category) that use e-mode. */
  share: between(0, 1),
  ...provenance,
});

// ---------------------------------------------------------------------------------------------
// Distress: halts and depositor runs
// ---------------------------------------------------------------------------------------------

/**
 * How hard depositors run, as a share of what they can still withdraw per hour:
 *   perEquityLoss x (share of the protocol's starting equity lost)
 * + perHaltedExposure x min(1, claims on halted protocols / starting equity)
 * + perDrawdown x max(0, drawdown of the assets the protocol is exposed to - drawdownFloor),
 * capped at maxPerHour, and stopping once maxShare of the starting deposits has left.
 */
export const DepositorRun = z.strictObject({
  perEquityLoss: nonNegative,
  perHaltedExposure: nonNegative,
  perDrawdown: nonNegative,
  drawdownFloor: between(0, 1),
  maxPerHour: above(0, 1),
  maxShare: above(0, 1),
});

/**
 * When a protocol halts withdrawals (permanently, within the scenario) and how its depositors
 * behave. A field left out takes the default for the protocol's kind; `null` turns a halt off.
 */
export const DistressRule = z.strictObject({
  /** Halt when equity after network clearing falls below this share of starting equity
   *  (0: when insolvent). */
  haltBelowEquityShare: between(-1, 1).nullable().optional(),
  /** Halt when withdrawals owed and unpaid exceed this share of the starting deposits. */
  haltAboveUnpaidShare: above(0, 1).nullable().optional(),
  run: DepositorRun.optional(),
  ...provenance,
});
export type DistressRuleJson = z.input<typeof DistressRule>;

/** Distress rules by protocol kind (each protocol may override its kind's rule). */
export const DistressByKind = z.strictObject({
  lending: DistressRule.optional(),
  amm: DistressRule.optional(),
  perp: DistressRule.optional(),
  vault: DistressRule.optional(),
});
