/**
 * The market model's features for each hour t, from data known at t only (see align.ts), by
 * group. The ETH group is always there (ethPrice is required); each other group is present at an
 * hour when its role's data are fresh then, and its `has_*` mask says so. Absent groups are NaN
 * here and become the training mean (0 after standardisation) in the model's input.
 *
 * Units: returns are log returns; volatilities are daily (sqrt(24) x hourly RMS), as logs;
 * funding is basis points per 8 h (whatever the source's interval); deviations are log prices.
 */

import type { MarketInputs, OptionalRole } from "../../datasets/market/roles.ts";
import { HOUR_MS, type KnownSeries } from "../../datasets/market/series.ts";
import { DataFileError } from "../../errors.ts";
import { createFeatureMatrix, type FeatureMatrix } from "../../feature-matrix.ts";
import { alignAsOf, alignExact, defaultMaxAge, type HourGrid } from "./align.ts";
import { causalMedianFilter } from "./spike-filter.ts";

export const GROUPS = [
  {
    group: "eth",
    roles: ["ethPrice"],
    features: [
      "eth_ret_1h",
      "eth_ret_4h",
      "eth_ret_24h",
      "eth_ret_168h",
      "eth_logvol_24h",
      "eth_logvol_168h",
      "eth_drawdown_168h",
    ],
  },
  { group: "btc", roles: ["btcPrice"], features: ["btc_ret_24h", "btc_logvol_24h", "btc_drawdown_168h"] },
  { group: "ethFunding", roles: ["ethFunding"], features: ["eth_funding_bps", "eth_funding_mean_72h_bps"] },
  { group: "btcFunding", roles: ["btcFunding"], features: ["btc_funding_bps", "btc_funding_mean_72h_bps"] },
  { group: "steth", roles: ["stethPrice"], features: ["steth_discount", "steth_discount_change_24h"] },
  { group: "usdc", roles: ["usdcPrice"], features: ["usdc_logprice"] },
  { group: "dai", roles: ["daiPrice"], features: ["dai_logprice"] },
  { group: "usdt", roles: ["usdtPrice"], features: ["usdt_logprice"] },
  {
    group: "aaveWeth",
    roles: ["aaveWeth"],
    features: ["weth_utilization", "weth_borrow_apr", "weth_supply_change_24h", "weth_liquidations_24h"],
  },
  {
    group: "aaveUsdc",
    roles: ["aaveUsdc"],
    features: ["usdc_utilization", "usdc_borrow_apr", "usdc_utilization_change_24h", "usdc_liquidations_24h"],
  },
] as const satisfies readonly { group: string; roles: readonly string[]; features: readonly string[] }[];

export type Group = (typeof GROUPS)[number]["group"];
export type OptionalGroup = Exclude<Group, "eth">;
export const OPTIONAL_GROUPS = GROUPS.map((g) => g.group).filter((g): g is OptionalGroup => g !== "eth");
export const GROUP_OF_ROLE: Record<OptionalRole, OptionalGroup> = {
  btcPrice: "btc",
  ethFunding: "ethFunding",
  btcFunding: "btcFunding",
  stethPrice: "steth",
  usdcPrice: "usdc",
  daiPrice: "dai",
  usdtPrice: "usdt",
  aaveWeth: "aaveWeth",
  aaveUsdc: "aaveUsdc",
};
export const maskName = (g: OptionalGroup) => `has_${g}`;

export const FEATURE_NAMES: readonly string[] = [
  ...GROUPS.flatMap((g) => g.features as readonly string[]),
  ...OPTIONAL_GROUPS.map(maskName),
];

const FEATURE_INDEX = new Map(FEATURE_NAMES.map((n, j) => [n, j]));

/** Columns of each group in FEATURE_NAMES (features, then its mask). */
export const GROUP_COLUMNS: Record<Group, { features: number[]; mask: number | undefined }> =
  Object.fromEntries(
    GROUPS.map((g) => [
      g.group,
      {
        features: (g.features as readonly string[]).map((f) => FEATURE_NAMES.indexOf(f)),
        mask: g.group === "eth" ? undefined : FEATURE_NAMES.indexOf(maskName(g.group)),
      },
    ]),
  ) as Record<Group, { features: number[]; mask: number | undefined }>;

/** Hours of history the features look back (the longest window plus one return). */
export const LOOKBACK_HOURS = 169;
/** An ETH price older than this at a scored hour is a hole in the required input. */
export const ETH_MAX_AGE_MS = 24 * HOUR_MS;
/** Aave markets count as live from this much supply (the first days hold dust). */
const AAVE_MIN_SUPPLY_USD = 1e6;

export type MarketFeatures = {
  /** Decision instants (ms, on the hour). */
  hoursMs: Float64Array;
  /** Raw features in FEATURE_NAMES order; NaN where a group is absent. */
  x: FeatureMatrix;
  present: Record<OptionalGroup, Uint8Array>;
};

/** Aligned hourly arrays of every input, over [from - lookback, to]. */
export type Aligned = {
  n: number;
  lookback: number;
  eth: Float64Array;
  btc?: Float64Array;
  ethFunding?: Float64Array;
  btcFunding?: Float64Array;
  steth?: Float64Array;
  usdc?: Float64Array;
  dai?: Float64Array;
  usdt?: Float64Array;
  aaveWeth?: { supplied: Float64Array; borrowed: Float64Array; apr: Float64Array; liq: Float64Array };
  aaveUsdc?: { supplied: Float64Array; borrowed: Float64Array; apr: Float64Array; liq: Float64Array };
};

function priceValues(s: KnownSeries): Float64Array {
  const v = s.columns.value!;
  return s.layout === "coingecko" ? causalMedianFilter(v) : v;
}

function alignPrice(s: KnownSeries | undefined, g: HourGrid, maxAgeMs?: number): Float64Array | undefined {
  return s && alignAsOf(s, priceValues(s), g, maxAgeMs ?? defaultMaxAge(s));
}

function alignAave(s: KnownSeries | undefined, g: HourGrid): Aligned["aaveWeth"] {
  if (!s) return undefined;
  const age = defaultMaxAge(s);
  return {
    supplied: alignAsOf(s, s.columns.supplied!, g, age),
    borrowed: alignAsOf(s, s.columns.borrowed!, g, age),
    apr: alignAsOf(s, s.columns.borrowApr!, g, age),
    liq: alignExact(s, s.columns.liquidations!, g),
  };
}

export function alignInputs(inputs: MarketInputs, fromMs: number, hours: number): Aligned {
  const lookback = LOOKBACK_HOURS;
  const g: HourGrid = { startMs: fromMs - lookback * HOUR_MS, hours: hours + lookback };
  const a: Aligned = { n: g.hours, lookback, eth: alignPrice(inputs.ethPrice, g, ETH_MAX_AGE_MS)! };
  const put = <K extends keyof Aligned>(k: K, v: Aligned[K] | undefined) => {
    if (v !== undefined) a[k] = v;
  };
  put("btc", alignPrice(inputs.btcPrice, g));
  put("ethFunding", alignPrice(inputs.ethFunding, g));
  put("btcFunding", alignPrice(inputs.btcFunding, g));
  put("steth", alignPrice(inputs.stethPrice, g));
  put("usdc", alignPrice(inputs.usdcPrice, g));
  put("dai", alignPrice(inputs.daiPrice, g));
  put("usdt", alignPrice(inputs.usdtPrice, g));
  put("aaveWeth", alignAave(inputs.aaveWeth, g));
  put("aaveUsdc", alignAave(inputs.aaveUsdc, g));
  return a;
}

/** The value `k` hours before index i, or the earliest known one after that (short history). */
function lagged(v: Float64Array, i: number, k: number): number {
  for (let j = Math.max(0, i - k); j <= i; j++) if (Number.isFinite(v[j]!)) return v[j]!;
  return Number.NaN;
}

/** Daily realised volatility from the last `w` hourly log returns, as log(vol + 1e-4). */
function logVol(p: Float64Array, i: number, w: number): number {
  let s = 0;
  let m = 0;
  for (let j = Math.max(1, i - w + 1); j <= i; j++) {
    const a = p[j - 1]!;
    const b = p[j]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      const r = Math.log(b / a);
      s += r * r;
      m++;
    }
  }
  return Math.log((m ? Math.sqrt((s / m) * 24) : 0) + 1e-4);
}

function drawdown(p: Float64Array, i: number, w: number): number {
  let hi = p[i]!;
  for (let j = Math.max(0, i - w + 1); j <= i; j++) if (p[j]! > hi) hi = p[j]!;
  return Math.log(p[i]! / hi);
}

function mean(v: Float64Array, i: number, w: number): number {
  let s = 0;
  let m = 0;
  for (let j = Math.max(0, i - w + 1); j <= i; j++)
    if (Number.isFinite(v[j]!)) {
      s += v[j]!;
      m++;
    }
  return m ? s / m : Number.NaN;
}

function sum(v: Float64Array, i: number, w: number): number {
  let s = 0;
  for (let j = Math.max(0, i - w + 1); j <= i; j++) s += v[j]!;
  return s;
}

const fin = (x: number) => Number.isFinite(x);

/**
 * Writes the features of aligned index i into `out` (FEATURE_NAMES order) and returns the
 * present flags; one hour at a time, so the agent's hot path can build a single row.
 */
export function featuresAt(a: Aligned, i: number, out: Float32Array, hourLabel: () => string): number {
  out.fill(Number.NaN);
  let present = 0;
  const set = (name: string, v: number) => {
    out[FEATURE_INDEX.get(name)!] = v;
  };
  const p = a.eth;
  if (!fin(p[i]!))
    throw new DataFileError({
      file: "ethPrice",
      problem: `has no price known within ${ETH_MAX_AGE_MS / HOUR_MS} h of ${hourLabel()}: the model needs an ETH price every day`,
    });
  const r = (k: number) => Math.log(p[i]! / lagged(p, i, k));
  set("eth_ret_1h", r(1));
  set("eth_ret_4h", r(4));
  set("eth_ret_24h", r(24));
  set("eth_ret_168h", r(168));
  set("eth_logvol_24h", logVol(p, i, 24));
  set("eth_logvol_168h", logVol(p, i, 168));
  set("eth_drawdown_168h", drawdown(p, i, 168));

  const mark = (g: OptionalGroup) => {
    out[GROUP_COLUMNS[g].mask!] = 1;
    present |= 1 << OPTIONAL_GROUPS.indexOf(g);
  };
  for (const g of OPTIONAL_GROUPS) out[GROUP_COLUMNS[g].mask!] = 0;

  if (a.btc && fin(a.btc[i]!)) {
    const b = a.btc;
    set("btc_ret_24h", Math.log(b[i]! / lagged(b, i, 24)));
    set("btc_logvol_24h", logVol(b, i, 24));
    set("btc_drawdown_168h", drawdown(b, i, 168));
    mark("btc");
  }
  for (const [g, v, last, avg] of [
    ["ethFunding", a.ethFunding, "eth_funding_bps", "eth_funding_mean_72h_bps"],
    ["btcFunding", a.btcFunding, "btc_funding_bps", "btc_funding_mean_72h_bps"],
  ] as const) {
    if (v && fin(v[i]!)) {
      set(last, v[i]! * 1e4);
      set(avg, mean(v, i, 72) * 1e4);
      mark(g);
    }
  }
  if (a.steth && fin(a.steth[i]!)) {
    const d = (j: number) => Math.log(a.steth![j]! / p[j]!);
    const now = d(i);
    const before = d(Math.max(0, i - 24));
    set("steth_discount", now);
    set("steth_discount_change_24h", fin(before) ? now - before : 0);
    mark("steth");
  }
  for (const [g, v, name] of [
    ["usdc", a.usdc, "usdc_logprice"],
    ["dai", a.dai, "dai_logprice"],
    ["usdt", a.usdt, "usdt_logprice"],
  ] as const) {
    if (v && fin(v[i]!)) {
      set(name, Math.log(v[i]!));
      mark(g);
    }
  }
  for (const [g, m] of [
    ["aaveWeth", a.aaveWeth],
    ["aaveUsdc", a.aaveUsdc],
  ] as const) {
    if (!m || !(m.supplied[i]! >= AAVE_MIN_SUPPLY_USD) || !fin(m.borrowed[i]!)) continue;
    const util = (j: number) => m.borrowed[j]! / m.supplied[j]!;
    const j24 = Math.max(0, i - 24);
    const apr = fin(m.apr[i]!) ? m.apr[i]! / 100 : 0;
    const liq = Math.log1p(sum(m.liq, i, 24) / 1e6);
    if (g === "aaveWeth") {
      set("weth_utilization", util(i));
      set("weth_borrow_apr", apr);
      const s0 = m.supplied[j24]!;
      set("weth_supply_change_24h", s0 >= AAVE_MIN_SUPPLY_USD ? Math.log(m.supplied[i]! / s0) : 0);
      set("weth_liquidations_24h", liq);
    } else {
      set("usdc_utilization", util(i));
      set("usdc_borrow_apr", apr);
      const u0 = m.supplied[j24]! >= AAVE_MIN_SUPPLY_USD ? util(j24) : Number.NaN;
      set("usdc_utilization_change_24h", fin(u0) ? util(i) - u0 : 0);
      set("usdc_liquidations_24h", liq);
    }
    mark(g);
  }
  return present;
}

export type BuildMarketFeaturesParameters = {
  inputs: MarketInputs;
  /** First and last decision hour (ms, on the hour), inclusive. */
  fromMs: number;
  toMs: number;
};

export function buildMarketFeatures({ inputs, fromMs, toMs }: BuildMarketFeaturesParameters): MarketFeatures {
  if (fromMs % HOUR_MS !== 0 || toMs % HOUR_MS !== 0 || toMs < fromMs)
    throw new RangeError(`feature hours must be on the hour and ordered: ${fromMs}..${toMs}`);
  const hours = (toMs - fromMs) / HOUR_MS + 1;
  const a = alignInputs(inputs, fromMs, hours);
  const x = createFeatureMatrix({ rows: hours, names: FEATURE_NAMES });
  const present = Object.fromEntries(OPTIONAL_GROUPS.map((g) => [g, new Uint8Array(hours)])) as Record<
    OptionalGroup,
    Uint8Array
  >;
  const row = new Float32Array(FEATURE_NAMES.length);
  for (let h = 0; h < hours; h++) {
    const bits = featuresAt(a, h + a.lookback, row, () => new Date(fromMs + h * HOUR_MS).toISOString());
    x.values.set(row, h * row.length);
    OPTIONAL_GROUPS.forEach((g, k) => {
      present[g][h] = (bits >> k) & 1;
    });
  }
  return { hoursMs: Float64Array.from({ length: hours }, (_, h) => fromMs + h * HOUR_MS), x, present };
}

/** Hours the inputs cover: from the first to the last hour with an ETH price known. */
export function coveredHours(inputs: MarketInputs): { fromMs: number; toMs: number } {
  const t = inputs.ethPrice.knownAtMs;
  return {
    fromMs: Math.ceil(t[0]! / HOUR_MS) * HOUR_MS,
    toMs: Math.floor(t[t.length - 1]! / HOUR_MS) * HOUR_MS,
  };
}
