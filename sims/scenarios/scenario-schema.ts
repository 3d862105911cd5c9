/**
 * The scenario file format, version 1: what a contagion scenario is made of, validated with zod.
 *
 * A scenario is a JSON file (one per scenario, in ./library) describing assets and how their
 * prices move, the protocols at risk and their risk parameters, how the protocols hold each
 * other's liabilities, withdrawal runs, and the time grid. The engine that replays it lives
 * elsewhere; this file only says what a valid scenario looks like, precisely enough that errors
 * name the offending field ("shocks[2].magnitude: expected a number between -1 and 0").
 *
 * Conventions:
 * - Token amounts are decimal strings in whole tokens ("1500.25" ETH), never JSON numbers, and
 *   become bigint base units (using the asset's decimals) when the file is parsed.
 * - Prices, shares and rates are JSON numbers: they are model inputs, not money.
 * - Shares and rates are fractions (0.8 = 80%). Annual rates for stochastic paths.
 * - Times are hours from the start of the scenario; keyframes also accept days.
 */
import { parseUnits } from "viem";
import { z } from "zod";
import { SAMPLE_IDS, sampleSeries, seriesKind, WINDOW_IDS, windowSpec } from "../market-data/catalogue.ts";
import { cholesky } from "../paths/cholesky.ts";
import {
  checkProvenance,
  DistressByKind,
  DistressRule,
  EmodeCategory,
  Liquidators,
  Oracle,
  OutsideMarket,
  provenance,
} from "./scenario-engine-schema.ts";

export const SCENARIO_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

const symbol = z
  .string({ error: "expected a token symbol" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$/, "expected a token symbol: 1-16 letters, digits, '.' or '-'");

const id = z
  .string({ error: "expected an id" })
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a kebab-case id like "aave-v2"')
  .max(64, "expected at most 64 characters");

const text = (what: string, min = 1) =>
  z
    .string({ error: `expected ${what} as a string` })
    .min(min, `expected ${what} (at least ${min} characters)`)
    .max(4000);

function between(min: number, max: number) {
  const message = `expected a number between ${min} and ${max}`;
  return z.number({ error: message }).min(min, message).max(max, message);
}

/** A number in (min, max]: for shares where zero would make no sense. */
function above(min: number, max: number) {
  const message = `expected a number above ${min} and at most ${max}`;
  return z.number({ error: message }).gt(min, message).max(max, message);
}

function wholeNumber(min: number, max: number) {
  const message = `expected a whole number between ${min} and ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

const positive = z.number({ error: "expected a positive number" }).positive("expected a positive number");
const nonNegative = z.number({ error: "expected a number >= 0" }).nonnegative("expected a number >= 0");
const finite = z.number({ error: "expected a number" });
const hours = nonNegative;
const date = z
  .string({ error: "expected a date" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");

/** Whole tokens as a decimal string; converted to base units once the asset is known. */
const tokenAmount = z
  .string({ error: 'expected a token amount as a decimal string, e.g. "1500.25"' })
  .regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, 'expected a token amount as a decimal string, e.g. "1500.25"')
  .max(80, "expected at most 80 characters");

// ---------------------------------------------------------------------------------------------
// Price paths
// ---------------------------------------------------------------------------------------------

/** A time point in hours or days from the start (exactly one of the two). */
const at = { hours: hours.optional(), days: nonNegative.optional() };

function exactlyOneTime(k: { hours?: number | undefined; days?: number | undefined }, ctx: z.RefinementCtx) {
  if ((k.hours === undefined) === (k.days === undefined)) {
    ctx.addIssue({ code: "custom", message: "expected exactly one of hours or days", path: ["hours"] });
  }
}

const ChangeKeyframe = z
  .strictObject({
    ...at,
    /** Price relative to the asset's initial price: -0.43 is 43% below it, 0.1 is 10% above. */
    change: z
      .number({ error: "expected a number >= -1" })
      .min(-1, "expected a number >= -1 (a price cannot fall below zero)"),
  })
  .superRefine(exactlyOneTime);

const RatioKeyframe = z
  .strictObject({
    ...at,
    /** Price as a multiple of the base asset's price at the same time (0.935 stETH per ETH). */
    ratio: nonNegative,
  })
  .superRefine(exactlyOneTime);

const Jumps = z.strictObject({
  /** Expected number of jumps per year. */
  perYear: nonNegative,
  /** Mean of the log jump size (-0.1: jumps of about -10%). */
  meanLog: finite,
  /** Standard deviation of the log jump size. */
  stdLog: nonNegative,
});

/** Merton jump diffusion, annualised. */
const Diffusion = {
  /** Expected annual return. */
  muAnnual: finite,
  /** Annual volatility. */
  sigmaAnnual: nonNegative,
  jumps: Jumps.optional(),
};
const DiffusionModel = z.strictObject(Diffusion);

const PATH_MODELS = ["constant", "scripted", "ratio", "gbm", "regime-switching", "market"] as const;

const PathSpec = z.discriminatedUnion(
  "model",
  [
    /** Holds the initial price (a stablecoin that keeps its peg in this scenario). */
    z.strictObject({ model: z.literal("constant") }),
    /** Piecewise-linear through keyframes of change from the initial price (a named episode). */
    z.strictObject({
      model: z.literal("scripted"),
      keyframes: z.array(ChangeKeyframe).min(1, "expected at least one keyframe"),
    }),
    /** Another asset's path times a scripted ratio (stETH at a discount to ETH). */
    z.strictObject({
      model: z.literal("ratio"),
      base: symbol,
      keyframes: z.array(RatioKeyframe).min(1, "expected at least one keyframe"),
    }),
    /** Geometric Brownian motion with optional Merton jumps. */
    z.strictObject({ model: z.literal("gbm"), ...Diffusion }),
    /** Calm and crisis regimes with exponentially distributed durations. */
    z.strictObject({
      model: z.literal("regime-switching"),
      calm: DiffusionModel,
      crisis: DiffusionModel,
      meanCalmHours: positive,
      meanCrisisHours: positive,
      start: z.enum(["calm", "crisis"]).default("calm"),
    }),
    /** A real series of the scenario's `market` window (sims/market-data): replayed as it
     *  happened, or drawn by a seeded model fitted to it (see `market.paths`). The path is scaled
     *  to start at `priceUsd`. A ratio series (stETH/ETH) needs the `base` asset it is quoted in. */
    z.strictObject({
      model: z.literal("market"),
      series: z.string({ error: 'expected the name of a market series, e.g. "ETH"' }).min(1).max(32),
      base: symbol.optional(),
    }),
  ],
  { error: `expected model to be one of: ${PATH_MODELS.join(", ")}` },
);

// ---------------------------------------------------------------------------------------------
// Protocols
// ---------------------------------------------------------------------------------------------

const CollateralParameters = z.strictObject({
  /** Borrowing power per unit of collateral value. */
  ltv: between(0, 1),
  /** Collateral share at which a position becomes liquidatable. */
  liquidationThreshold: above(0, 1),
  /** Discount (Aave bonus, Compound incentive, Maker penalty) a liquidator earns, as a fraction. */
  liquidationBonus: between(0, 0.5),
});

/** Health factors weighted by collateral: HF = 1 + medianExcess x exp(sigma Z), with the data
 *  window the parameters were fitted on in `source`. */
const LognormalExcess = z.strictObject({
  distribution: z.literal("lognormal-excess"),
  medianExcess: positive,
  sigma: nonNegative,
  source: z.string().min(1),
});

const Reserve = z.strictObject({
  asset: symbol,
  /** Deposited by lenders (for a collateral asset: posted by borrowers). */
  supplied: tokenAmount,
  /** Lent out to borrowers. */
  borrowed: tokenAmount,
  /** The protocol issues this asset against collateral (DAI in Maker) rather than pooling it. */
  minted: z.boolean().default(false),
  /** Present when the asset counts as collateral. */
  collateral: CollateralParameters.optional(),
  /** This collateral's own borrower book (fitted on its own liquidations), in place of the
   *  protocol's initialHealthFactor for positions backed by it. */
  initialHealthFactor: LognormalExcess.optional(),
});

const Liquidation = z.discriminatedUnion(
  "mechanism",
  [
    /** Anyone repays debt and takes collateral at a fixed discount (Aave, Compound). */
    z.strictObject({
      mechanism: z.literal("fixed-spread"),
      /** Below this health factor the whole debt may be repaid at once (Aave v3: 0.95);
       *  above it at most the close factor. Omit for a close factor at every health factor. */
      fullCloseBelowHealthFactor: above(0, 1).optional(),
    }),
    /** Maker: the debt plus the liquidation penalty (the collateral's liquidationBonus) is
     *  raised by auctioning collateral; what is not needed goes back to the vault owner. */
    z.strictObject({
      mechanism: z.literal("auction"),
      /** `dutch`: Liquidations 2.0 (Clipper): the price starts at startBuffer x the oracle price and
       *  falls by priceDecayPerHour; keepers take it once it is keeperMargin below the market.
       *  `english`: Flip auctions (before November 2020): keepers bid up to the market less their
       *  margin, and an auction nobody else bids on closes at the first, zero bid. */
      style: z
        .enum(["dutch", "english"], { error: "expected style to be dutch or english" })
        .default("dutch"),
      durationHours: positive,
      /** Share of auctions, at full congestion, that no keeper reaches in time (March 2020: about
       *  a third): english auctions then close at a zero bid, dutch ones are taken only when the
       *  price has fallen for the whole duration. Scaled down with congestion. */
      noKeeperShare: between(0, 1).default(0),
      startBuffer: z
        .number({ error: "expected a number >= 1" })
        .min(1, "expected a number >= 1")
        .default(1.2),
      priceDecayPerHour: between(0, 1).default(0.33),
    }),
  ],
  { error: "expected mechanism to be one of: fixed-spread, auction" },
);

const Lending = z.strictObject({
  id,
  kind: z.literal("lending"),
  label: text("a label"),
  reserves: z.array(Reserve).min(1, "expected at least one reserve"),
  /** Largest share of a position's debt one liquidation may repay. */
  closeFactor: above(0, 1),
  liquidation: Liquidation,
  /** How far borrowers sit from liquidation at the start: health factor = collateral value x
   *  liquidation threshold / debt. Either a normal over positions (truncated at 1.02), or a
   *  lognormal excess over 1 weighted by collateral (HF = 1 + medianExcess x exp(sigma Z)): the
   *  heavy right tail that real books have (most collateral far from liquidation), with the data
   *  window it was fitted on in `source` (docs/SIMULATION.md, "Backtest"). */
  initialHealthFactor: z.union([z.strictObject({ mean: positive, std: nonNegative }), LognormalExcess]),
  /** Oracle lag (Maker's OSM delays prices by an hour). */
  oracleDelayHours: hours.default(0),
  /** Push-oracle updates (deviation threshold and heartbeat). Omit: a fresh price every step. */
  oracle: Oracle.optional(),
  /** Aave v3 efficiency-mode categories. */
  emode: z.array(EmodeCategory).default([]),
  distress: DistressRule.optional(),
  ...provenance,
});

const Pool = z.strictObject({
  id,
  curve: z.enum(["constant-product", "stableswap"], {
    error: "expected curve to be constant-product or stableswap",
  }),
  reserves: z
    .array(z.strictObject({ asset: symbol, amount: tokenAmount }))
    .min(2, "expected at least two reserves")
    .max(8, "expected at most eight reserves"),
  /** Swap fee as a fraction (0.003 = 30 bps). */
  fee: between(0, 0.1),
  /** Curve's A; required for stableswap. */
  amplification: z.number({ error: "expected a number >= 1" }).min(1, "expected a number >= 1").optional(),
  /** Where the pool's depth comes from. */
  ...provenance,
});

const Amm = z.strictObject({
  id,
  kind: z.literal("amm"),
  label: text("a label"),
  pools: z.array(Pool).min(1, "expected at least one pool"),
  distress: DistressRule.optional(),
});

const PerpMarket = z.strictObject({
  underlying: symbol,
  /** Open interest on each side, in units of the underlying. */
  openInterest: tokenAmount,
  /** Margin to open, as a fraction of notional (0.05 = 20x). */
  initialMargin: above(0, 1),
  /** Margin below which a position is liquidated. */
  maintenanceMargin: above(0, 1),
  /** Fee charged on liquidated notional, to the insurance fund. */
  liquidationFee: between(0, 0.1),
});

const Perp = z.strictObject({
  id,
  kind: z.literal("perp"),
  label: text("a label"),
  collateralAsset: symbol,
  /** Traders' deposits, in the collateral asset. */
  traderCollateral: tokenAmount,
  /** Backstop for losses beyond a liquidated trader's margin. */
  insuranceFund: tokenAmount,
  markets: z.array(PerpMarket).min(1, "expected at least one market"),
  distress: DistressRule.optional(),
  ...provenance,
});

const Vault = z.strictObject({
  id,
  kind: z.literal("vault"),
  label: text("a label"),
  /** What the vault owes its holders: its own token (stETH, UST, USDC) or deposits it took. */
  liabilities: z.strictObject({ asset: symbol, amount: tokenAmount }),
  /** What stands behind them. `locked` cannot be moved at all during the scenario. */
  backing: z.array(
    z.strictObject({
      asset: symbol,
      amount: tokenAmount,
      liquidity: z.enum(["liquid", "illiquid", "locked"]),
    }),
  ),
  /** `algorithmic`: redemptions are paid by minting `mintAsset` (UST -> LUNA). */
  mechanism: z.enum(["collateralized", "algorithmic"], {
    error: "expected mechanism to be collateralized or algorithmic",
  }),
  mintAsset: symbol.optional(),
  redemption: z.strictObject({
    mode: z.enum(["instant", "queued", "paused"], { error: "expected mode to be instant, queued or paused" }),
    /** Required for `queued`. */
    delayHours: positive.optional(),
    fee: between(0, 0.1).default(0),
    /** Most that can be redeemed per day, in the liabilities asset. */
    capPerDay: tokenAmount.optional(),
  }),
  distress: DistressRule.optional(),
  ...provenance,
});

const Protocol = z.discriminatedUnion("kind", [Lending, Amm, Perp, Vault], {
  error: "expected kind to be one of: lending, amm, perp, vault",
});

// ---------------------------------------------------------------------------------------------
// Links, shocks, runs, the scenario
// ---------------------------------------------------------------------------------------------

const CrossHolding = z.strictObject({
  /** The protocol holding the claim. */
  holder: id,
  /** The protocol the claim is on. */
  issuer: id,
  asset: symbol,
  amount: tokenAmount,
  /** deposit: holder deposited into issuer. collateral: holder posted it to issuer.
   *  issued-token: holder holds issuer's token. lp-shares: holder owns issuer's pool shares.
   *  credit-line: issuer owes holder a loan. */
  form: z.enum(["deposit", "collateral", "issued-token", "lp-shares", "credit-line"]),
  note: text("a note").optional(),
  ...provenance,
});

const WithdrawalRun = z.strictObject({
  protocol: id,
  asset: symbol,
  trigger: z.discriminatedUnion(
    "kind",
    [
      z.strictObject({ kind: z.literal("time"), atHours: hours }),
      /** Starts once `asset` has fallen `threshold` below its initial price. */
      z.strictObject({ kind: z.literal("drawdown"), asset: symbol, threshold: above(0, 1) }),
    ],
    { error: "expected trigger kind to be time or drawdown" },
  ),
  /** Share of the remaining deposits withdrawn per hour once running. */
  sharePerHour: above(0, 1),
  /** Share of the initial deposits after which the run stops. */
  maxShare: above(0, 1),
  /** The protocol suspends withdrawals at this hour (Celsius, FTX). */
  haltAtHours: hours.optional(),
  note: text("a note").optional(),
  ...provenance,
});

const Shock = z.strictObject({
  asset: symbol,
  atHours: hours,
  /** Instant, permanent price change applied on top of the path: -0.3 is a 30% drop. */
  magnitude: between(-1, 0),
});

/** How a scenario's `market` assets move: the real window replayed, or seeded draws from it. */
export const PRICE_PATH_MODES = ["replay", "bootstrap", "fitted"] as const;
export type PricePathMode = (typeof PRICE_PATH_MODES)[number];

const Market = z.strictObject({
  /** The real window `market` assets replay (a slice in sims/market-data/slices). */
  window: z.enum(WINDOW_IDS, { error: `expected a market window: ${WINDOW_IDS.join(", ")}` }),
  /** replay: the window as it happened (every seed the same prices). bootstrap: a stationary block
   *  bootstrap of the sample's hourly moves, all series drawn together. fitted: GARCH(1,1)-t
   *  volatility and AR(1) pegs with correlated Student-t shocks, fitted to the sample. */
  paths: z
    .enum(PRICE_PATH_MODES, { error: `expected paths to be one of: ${PRICE_PATH_MODES.join(", ")}` })
    .default("replay"),
  /** What seeded paths learn from: a window or a pool of windows (default: `window`). */
  sample: z.enum(SAMPLE_IDS, { error: `expected a market sample: ${SAMPLE_IDS.join(", ")}` }).optional(),
  /** Mean block length of the bootstrap, hours (default: the sample's, 12). */
  meanBlockHours: z.number({ error: "expected a number >= 1" }).min(1, "expected a number >= 1").optional(),
  /** Replay only: between two hourly closes, the step nearest mid-hour is at most the hour's candle
   *  low (the window's "<series> low" column), as the lending oracles saw it (docs/SIMULATION.md,
   *  "Backtest"). Needs a grid finer than an hour and a window that ships the lows. */
  intrahourLows: z.boolean().optional(),
});

const Correlation = z.strictObject({
  assets: z.tuple([symbol, symbol], { error: "expected two asset symbols" }),
  rho: between(-1, 1),
});

const Asset = z.strictObject({
  symbol,
  decimals: wholeNumber(0, 36),
  /** Price at hour 0, USD. */
  priceUsd: positive,
  path: PathSpec,
  note: text("a note").optional(),
});

const ScenarioJson = z.strictObject({
  v: z.literal(SCENARIO_VERSION, {
    error: `expected v to be ${SCENARIO_VERSION} (this loader reads scenario format v${SCENARIO_VERSION})`,
  }),
  name: id,
  title: text("a title"),
  kind: z.enum(["historical", "synthetic"], { error: "expected kind to be historical or synthetic" }),
  /** Required for historical scenarios. */
  episode: z.strictObject({ start: date, end: date }).optional(),
  /** Short citation(s) for the magnitudes used. */
  source: text("a source citation", 10),
  /** What is modelled, what is simplified, where sources disagree. */
  notes: text("notes", 10),
  /** Default seed for stochastic paths; a run may override it. */
  seed: wholeNumber(0, Number.MAX_SAFE_INTEGER).default(0),
  time: z.strictObject({ horizonHours: positive, stepHours: positive }),
  assets: z.array(Asset).min(1, "expected at least one asset"),
  /** Where `market` price paths come from (required when an asset has one). */
  market: Market.optional(),
  correlations: z.array(Correlation).default([]),
  shocks: z.array(Shock).default([]),
  protocols: z.array(Protocol).min(1, "expected at least one protocol"),
  crossHoldings: z.array(CrossHolding).default([]),
  withdrawalRuns: z.array(WithdrawalRun).default([]),
  /** Liquidity outside the scenario's pools for every asset the engine may sell. */
  outsideMarkets: z.array(OutsideMarket).default([]),
  /** Liquidators' capital and gas; omit for the engine's stated defaults. */
  liquidators: Liquidators.optional(),
  /** Halt thresholds and depositor behaviour by protocol kind; omit for the engine's stated defaults. */
  distress: DistressByKind.default({}),
});

/** The file format: what a scenario JSON file holds (amounts as decimal strings). */
export type ScenarioJson = z.input<typeof ScenarioJson>;
type Parsed = z.output<typeof ScenarioJson>;

// ---------------------------------------------------------------------------------------------
// In-code form: the same, with amounts in base units
// ---------------------------------------------------------------------------------------------

/** Fields that hold token amounts; they are decimal strings on disk and bigints in code. */
type AmountKey =
  | "supplied"
  | "borrowed"
  | "amount"
  | "openInterest"
  | "traderCollateral"
  | "insuranceFund"
  | "capPerDay";
type BaseUnits<V> = V extends string ? bigint : V;
type Deep<T> = T extends string | number | boolean | bigint | null | undefined
  ? T
  : { [P in keyof T]: P extends AmountKey ? BaseUnits<T[P]> : Deep<T[P]> };

/** A validated scenario, amounts in token base units. */
export type Scenario = Deep<Parsed>;
export type ScenarioAsset = Scenario["assets"][number];
export type PathSpec = ScenarioAsset["path"];
export type ScenarioProtocol = Scenario["protocols"][number];

const HOURS_PER_DAY = 24;
export const keyframeHours = (k: { hours?: number | undefined; days?: number | undefined }): number =>
  k.hours ?? (k.days ?? 0) * HOURS_PER_DAY;

// ---------------------------------------------------------------------------------------------
// Cross-field rules
// ---------------------------------------------------------------------------------------------

function checkScenario(s: Parsed, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", message, path });

  // Time grid.
  const { horizonHours, stepHours } = s.time;
  const steps = horizonHours / stepHours;
  if (Math.abs(steps - Math.round(steps)) > 1e-9 * steps) {
    issue(["time", "horizonHours"], `expected a whole number of ${stepHours}-hour steps, got ${steps}`);
  } else if (steps > 1_000_000) {
    issue(["time", "stepHours"], `gives ${Math.round(steps)} steps; expected at most 1000000`);
  }
  if (s.kind === "historical" && !s.episode)
    issue(["episode"], "expected the episode dates of a historical scenario");
  if (s.episode && s.episode.start > s.episode.end)
    issue(["episode", "end"], `is before the start (${s.episode.start})`);

  // Assets and references to them.
  const assets = new Map<string, (typeof s.assets)[number]>();
  s.assets.forEach((a, i) => {
    if (assets.has(a.symbol)) issue(["assets", i, "symbol"], `duplicate asset "${a.symbol}"`);
    assets.set(a.symbol, a);
  });
  const declared = [...assets.keys()].join(", ");
  const asset = (path: (string | number)[], sym: string) => {
    if (!assets.has(sym)) issue(path, `unknown asset "${sym}"; declared assets: ${declared}`);
  };
  const notAfterHorizon = (path: (string | number)[], h: number) => {
    if (h > horizonHours) issue(path, `is at hour ${h}, after the horizon (${horizonHours} h)`);
  };

  s.assets.forEach((a, i) => {
    const path = a.path;
    if (path.model === "scripted" || path.model === "ratio") {
      let previous = 0;
      path.keyframes.forEach((k, j) => {
        const h = keyframeHours(k);
        const where = ["assets", i, "path", "keyframes", j, k.hours === undefined ? "days" : "hours"];
        if (h < previous) issue(where, `is at hour ${h}, before the previous keyframe (hour ${previous})`);
        notAfterHorizon(where, h);
        previous = Math.max(previous, h);
      });
    }
    if (path.model === "ratio") {
      const base = assets.get(path.base);
      if (path.base === a.symbol)
        issue(["assets", i, "path", "base"], "an asset cannot be priced relative to itself");
      else if (!base) asset(["assets", i, "path", "base"], path.base);
      else if (base.path.model === "ratio" || (base.path.model === "market" && base.path.base !== undefined))
        issue(
          ["assets", i, "path", "base"],
          `"${path.base}" is itself a ratio path; expected a base with its own path`,
        );
    }
  });

  checkMarket(s, issue);

  s.shocks.forEach((x, i) => {
    asset(["shocks", i, "asset"], x.asset);
    notAfterHorizon(["shocks", i, "atHours"], x.atHours);
  });

  // Correlations: only between stochastic (gbm) assets, once per pair, jointly possible.
  const correlated: string[] = [];
  const pairs = new Set<string>();
  s.correlations.forEach((c, i) => {
    const [a, b] = c.assets;
    c.assets.forEach((sym, j) => {
      const found = assets.get(sym);
      if (!found) asset(["correlations", i, "assets", j], sym);
      else if (found.path.model !== "gbm")
        issue(
          ["correlations", i, "assets", j],
          `"${sym}" has a ${found.path.model} path; correlations apply to gbm paths`,
        );
      else if (!correlated.includes(sym)) correlated.push(sym);
    });
    if (a === b) issue(["correlations", i, "assets"], "expected two different assets");
    const key = [a, b].sort().join("~");
    if (pairs.has(key)) issue(["correlations", i, "assets"], `duplicate correlation for ${a} and ${b}`);
    pairs.add(key);
  });
  if (correlated.length > 1) {
    try {
      cholesky({ matrix: correlationMatrix(correlated, s.correlations), n: correlated.length });
    } catch (err) {
      issue(
        ["correlations"],
        `are jointly impossible (${(err as { shortMessage?: string }).shortMessage ?? String(err)})`,
      );
    }
  }

  // Protocols.
  const protocols = new Set<string>();
  s.protocols.forEach((p, i) => {
    const at = (...rest: (string | number)[]) => ["protocols", i, ...rest];
    if (protocols.has(p.id)) issue(at("id"), `duplicate protocol id "${p.id}"`);
    protocols.add(p.id);
    switch (p.kind) {
      case "lending": {
        const seen = new Set<string>();
        p.reserves.forEach((r, j) => {
          asset(at("reserves", j, "asset"), r.asset);
          if (seen.has(r.asset)) issue(at("reserves", j, "asset"), `duplicate reserve for "${r.asset}"`);
          seen.add(r.asset);
          if (r.minted && r.supplied !== "0")
            issue(at("reserves", j, "supplied"), "expected 0 for a minted asset (it is issued, not pooled)");
          const c = r.collateral;
          if (r.initialHealthFactor && (!c || r.minted))
            issue(
              at("reserves", j, "initialHealthFactor"),
              "is for a collateral reserve's borrower book; this reserve backs no position (add collateral or remove it)",
            );
          if (c && c.ltv > c.liquidationThreshold) {
            issue(
              at("reserves", j, "collateral", "ltv"),
              `is ${c.ltv}, above the liquidation threshold ${c.liquidationThreshold}`,
            );
          }
          if (c && c.liquidationThreshold * (1 + c.liquidationBonus) > 1) {
            issue(
              at("reserves", j, "collateral", "liquidationBonus"),
              `threshold x (1 + bonus) is ${(c.liquidationThreshold * (1 + c.liquidationBonus)).toFixed(4)}; above 1 a liquidation can never pay the bonus`,
            );
          }
        });
        break;
      }
      case "amm":
        p.pools.forEach((pool, j) => {
          const seen = new Set<string>();
          pool.reserves.forEach((r, k) => {
            asset(at("pools", j, "reserves", k, "asset"), r.asset);
            if (seen.has(r.asset))
              issue(at("pools", j, "reserves", k, "asset"), `duplicate "${r.asset}" in the pool`);
            seen.add(r.asset);
          });
          if (pool.curve === "constant-product" && pool.reserves.length !== 2) {
            issue(
              at("pools", j, "reserves"),
              `expected exactly two reserves for constant-product, got ${pool.reserves.length}`,
            );
          }
          if (pool.curve === "stableswap" && pool.amplification === undefined)
            issue(at("pools", j, "amplification"), "expected the amplification (A) of a stableswap pool");
          if (pool.curve === "constant-product" && pool.amplification !== undefined)
            issue(at("pools", j, "amplification"), "applies to stableswap pools only");
        });
        break;
      case "perp":
        asset(at("collateralAsset"), p.collateralAsset);
        p.markets.forEach((m, j) => {
          asset(at("markets", j, "underlying"), m.underlying);
          if (m.maintenanceMargin > m.initialMargin) {
            issue(
              at("markets", j, "maintenanceMargin"),
              `is ${m.maintenanceMargin}, above the initial margin ${m.initialMargin}`,
            );
          }
        });
        break;
      case "vault":
        asset(at("liabilities", "asset"), p.liabilities.asset);
        for (const [j, b] of p.backing.entries()) asset(at("backing", j, "asset"), b.asset);
        if (p.mechanism === "algorithmic" && p.mintAsset === undefined)
          issue(at("mintAsset"), "expected the asset an algorithmic vault mints to pay redemptions");
        if (p.mintAsset !== undefined) asset(at("mintAsset"), p.mintAsset);
        if (p.redemption.mode === "queued" && p.redemption.delayHours === undefined)
          issue(at("redemption", "delayHours"), "expected the queue delay of queued redemptions");
        break;
    }
  });

  const protocol = (path: (string | number)[], pid: string) => {
    if (!protocols.has(pid))
      issue(path, `unknown protocol "${pid}"; declared protocols: ${[...protocols].join(", ")}`);
  };
  s.crossHoldings.forEach((h, i) => {
    protocol(["crossHoldings", i, "holder"], h.holder);
    protocol(["crossHoldings", i, "issuer"], h.issuer);
    if (h.holder === h.issuer)
      issue(["crossHoldings", i, "issuer"], "expected a protocol other than the holder");
    asset(["crossHoldings", i, "asset"], h.asset);
  });
  for (const [i, h] of s.crossHoldings.entries()) checkProvenance(issue, ["crossHoldings", i], h);
  for (const [i, r] of s.withdrawalRuns.entries()) checkProvenance(issue, ["withdrawalRuns", i], r);
  checkEngineSections(s, issue, asset);
  s.withdrawalRuns.forEach((r, i) => {
    protocol(["withdrawalRuns", i, "protocol"], r.protocol);
    asset(["withdrawalRuns", i, "asset"], r.asset);
    if (r.trigger.kind === "drawdown") asset(["withdrawalRuns", i, "trigger", "asset"], r.trigger.asset);
    else notAfterHorizon(["withdrawalRuns", i, "trigger", "atHours"], r.trigger.atHours);
    if (r.haltAtHours !== undefined && r.trigger.kind === "time" && r.haltAtHours <= r.trigger.atHours) {
      issue(
        ["withdrawalRuns", i, "haltAtHours"],
        `is at hour ${r.haltAtHours}, not after the run starts (hour ${r.trigger.atHours})`,
      );
    }
  });
}

/** `market` assets: a window that covers the horizon, series it has, ratio series on a base. */
function checkMarket(s: Parsed, issue: (path: (string | number)[], message: string) => void): void {
  const market = s.market;
  const marketAssets = s.assets.flatMap((a, i) =>
    a.path.model === "market" ? [{ a, i, path: a.path }] : [],
  );
  if (!market) {
    for (const { i } of marketAssets)
      issue(
        ["assets", i, "path"],
        "a market path needs the scenario's market section (which window to replay)",
      );
    return;
  }
  const window = windowSpec(market.window)!;
  if (s.time.horizonHours > window.hours)
    issue(
      ["time", "horizonHours"],
      `is ${s.time.horizonHours} h, longer than the market window ${market.window} (${window.hours} h)`,
    );
  if (market.intrahourLows) {
    if (s.time.stepHours >= 1)
      issue(
        ["market", "intrahourLows"],
        `needs a grid finer than an hour to place the lows between the closes (time.stepHours is ${s.time.stepHours})`,
      );
    if (!window.candleLows)
      issue(["market", "intrahourLows"], `market window ${market.window} ships no candle lows`);
  }
  const sample = market.sample ?? market.window;
  const sampled = sampleSeries(sample);
  const bySymbol = new Map(s.assets.map((a) => [a.symbol, a]));
  for (const { i, path } of marketAssets) {
    const at = (...rest: string[]) => ["assets", i, "path", ...rest];
    const kind = seriesKind(market.window, path.series);
    if (!kind) {
      issue(
        at("series"),
        `"${path.series}" is not in market window ${market.window}; it has ${Object.keys(window.series).join(", ")}`,
      );
      continue;
    }
    if (!sampled.includes(path.series))
      issue(
        ["market", "sample"],
        `${sample} has no "${path.series}" (used by assets[${i}]); it has ${sampled.join(", ")}`,
      );
    if (kind === "ratio" && path.base === undefined)
      issue(at("base"), `"${path.series}" is a ratio series; expected the base asset it is quoted in`);
    if (kind !== "ratio" && path.base !== undefined)
      issue(at("base"), `"${path.series}" is a USD price, not a ratio; remove base`);
    if (path.base !== undefined) {
      const base = bySymbol.get(path.base);
      if (!base) issue(at("base"), `unknown asset "${path.base}"`);
      else if (base.path.model !== "market" || base.path.base !== undefined)
        issue(at("base"), `"${path.base}" must itself follow a market USD price series`);
    }
  }
}

/**
 * Provenance of every depth and size, outside markets for every asset the engine may sell,
 * e-mode categories, oracles and distress rules.
 */
function checkEngineSections(
  s: Parsed,
  issue: (path: (string | number)[], message: string) => void,
  asset: (path: (string | number)[], sym: string) => void,
): void {
  // What the engine may sell: lending collateral, vault backing it can move, the assets an
  // algorithmic vault mints, perp underlyings (hedges); and what trades in a scenario pool.
  const sellable = new Map<string, (string | number)[]>();
  const pooled = new Set<string>();
  s.protocols.forEach((p, i) => {
    const at = (...rest: (string | number)[]) => ["protocols", i, ...rest];
    if (p.kind !== "amm") checkProvenance(issue, at(), p);
    if (p.distress) checkProvenance(issue, at("distress"), p.distress);
    switch (p.kind) {
      case "lending":
        p.reserves.forEach((r, j) => {
          if (r.collateral && !r.minted && !sellable.has(r.asset)) sellable.set(r.asset, at("reserves", j));
        });
        if (p.oracle) {
          checkProvenance(issue, at("oracle"), p.oracle);
          for (const [j, f] of p.oracle.feeds.entries()) asset(at("oracle", "feeds", j, "asset"), f.asset);
        }
        p.emode.forEach((e, j) => {
          checkProvenance(issue, at("emode", j), e);
          for (const [k, sym] of e.assets.entries()) asset(at("emode", j, "assets", k), sym);
          if (e.ltv > e.liquidationThreshold)
            issue(
              at("emode", j, "ltv"),
              `is ${e.ltv}, above the liquidation threshold ${e.liquidationThreshold}`,
            );
          if (e.liquidationThreshold * (1 + e.liquidationBonus) > 1)
            issue(
              at("emode", j, "liquidationBonus"),
              `threshold x (1 + bonus) is ${(e.liquidationThreshold * (1 + e.liquidationBonus)).toFixed(4)}; above 1 a liquidation can never pay the bonus`,
            );
        });
        break;
      case "amm":
        p.pools.forEach((pool, j) => {
          checkProvenance(issue, at("pools", j), pool);
          for (const r of pool.reserves) pooled.add(r.asset);
        });
        break;
      case "perp":
        p.markets.forEach((m, j) => {
          if (!sellable.has(m.underlying)) sellable.set(m.underlying, at("markets", j));
        });
        break;
      case "vault":
        p.backing.forEach((b, j) => {
          if (b.liquidity === "illiquid" && !sellable.has(b.asset)) sellable.set(b.asset, at("backing", j));
        });
        if (p.mintAsset !== undefined && !sellable.has(p.mintAsset))
          sellable.set(p.mintAsset, at("mintAsset"));
        break;
    }
  });

  const outside = new Map<string, number>();
  s.outsideMarkets.forEach((m, i) => {
    asset(["outsideMarkets", i, "asset"], m.asset);
    if (outside.has(m.asset))
      issue(["outsideMarkets", i, "asset"], `duplicate outside market for "${m.asset}"`);
    outside.set(m.asset, i);
    checkProvenance(issue, ["outsideMarkets", i], m);
    if (pooled.has(m.asset) && m.arbitrage === undefined)
      issue(
        ["outsideMarkets", i, "arbitrage"],
        `expected the arbitrage (bandBps, capacityUsdPerHour) that ties "${m.asset}"'s pool to this market`,
      );
  });
  for (const [sym, where] of sellable) {
    if (outside.has(sym)) continue;
    issue(
      ["outsideMarkets"],
      `expected an entry for "${sym}" (sold by the engine, see ${formatWhere(where)}): its depth outside the scenario's pools (e.g. "+-2% depth" on exchanges, with a source), so sales have a market; there is no fallback pool`,
    );
  }
  if (s.liquidators) checkProvenance(issue, ["liquidators"], s.liquidators);
  for (const kind of ["lending", "amm", "perp", "vault"] as const) {
    const rule = s.distress[kind];
    if (rule) checkProvenance(issue, ["distress", kind], rule);
  }
}

const formatWhere = (path: (string | number)[]) =>
  path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");

/** The correlation matrix over `symbols` (unit diagonal, 0 where no pair is given). */
export function correlationMatrix(
  symbols: readonly string[],
  pairs: readonly { assets: readonly [string, string]; rho: number }[],
): Float64Array {
  const n = symbols.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  for (const {
    assets: [a, b],
    rho,
  } of pairs) {
    const i = symbols.indexOf(a);
    const j = symbols.indexOf(b);
    if (i < 0 || j < 0 || i === j) continue;
    m[i * n + j] = rho;
    m[j * n + i] = rho;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Amounts to base units
// ---------------------------------------------------------------------------------------------

function toBaseUnits(s: Parsed, ctx: z.RefinementCtx): Scenario {
  const decimals = new Map(s.assets.map((a) => [a.symbol, a.decimals]));
  let failed = false;
  const units = (path: (string | number)[], sym: string, amount: string): bigint => {
    const d = decimals.get(sym) ?? 0;
    const fraction = amount.split(".")[1] ?? "";
    if (fraction.length > d) {
      failed = true;
      ctx.addIssue({
        code: "custom",
        path,
        message: `has ${fraction.length} decimal places; ${sym} has ${d}`,
      });
      return 0n;
    }
    return parseUnits(amount, d);
  };
  const maybe = (path: (string | number)[], sym: string, amount: string | undefined) =>
    amount === undefined ? undefined : units(path, sym, amount);

  function convertProtocol(
    p: Parsed["protocols"][number],
    at: (...rest: (string | number)[]) => (string | number)[],
  ) {
    switch (p.kind) {
      case "lending":
        return {
          ...p,
          reserves: p.reserves.map((r, j) => {
            const supplied = units(at("reserves", j, "supplied"), r.asset, r.supplied);
            const borrowed = units(at("reserves", j, "borrowed"), r.asset, r.borrowed);
            if (!r.minted && borrowed > supplied) {
              failed = true;
              ctx.addIssue({
                code: "custom",
                path: at("reserves", j, "borrowed"),
                message: `is more than supplied (${r.supplied} ${r.asset}); only a minted asset can be borrowed beyond its supply`,
              });
            }
            return { ...r, supplied, borrowed };
          }),
        };
      case "amm":
        return {
          ...p,
          pools: p.pools.map((pool, j) => ({
            ...pool,
            reserves: pool.reserves.map((r, k) => ({
              ...r,
              amount: units(at("pools", j, "reserves", k, "amount"), r.asset, r.amount),
            })),
          })),
        };
      case "perp":
        return {
          ...p,
          traderCollateral: units(at("traderCollateral"), p.collateralAsset, p.traderCollateral),
          insuranceFund: units(at("insuranceFund"), p.collateralAsset, p.insuranceFund),
          markets: p.markets.map((m, j) => ({
            ...m,
            openInterest: units(at("markets", j, "openInterest"), m.underlying, m.openInterest),
          })),
        };
      case "vault":
        return {
          ...p,
          liabilities: {
            ...p.liabilities,
            amount: units(at("liabilities", "amount"), p.liabilities.asset, p.liabilities.amount),
          },
          backing: p.backing.map((b, j) => ({
            ...b,
            amount: units(at("backing", j, "amount"), b.asset, b.amount),
          })),
          redemption: {
            ...p.redemption,
            capPerDay: maybe(at("redemption", "capPerDay"), p.liabilities.asset, p.redemption.capPerDay),
          },
        };
    }
  }

  const protocols = s.protocols.map((p, i) => convertProtocol(p, (...rest) => ["protocols", i, ...rest]));
  const crossHoldings = s.crossHoldings.map((h, i) => ({
    ...h,
    amount: units(["crossHoldings", i, "amount"], h.asset, h.amount),
  }));
  if (failed) return z.NEVER;
  return { ...s, protocols, crossHoldings } as Scenario;
}

/** Parses a scenario file's JSON value: validates it, then converts amounts to base units. */
export const ScenarioSchema = ScenarioJson.superRefine(checkScenario).transform(toBaseUnits);
