/**
 * The inputs of the market model by role, and which layouts and assets each role accepts. A file
 * given for the wrong role (BTC prices as ethPrice, the USDC market as aaveWeth) is refused by
 * its symbol column or, for Aave files, by the oracle price they imply.
 */
import { DataFileError } from "../../errors.ts";
import type { Layout } from "./layouts.ts";
import { readSeries } from "./layouts.ts";
import type { KnownSeries } from "./series.ts";

export const ROLES = [
  "ethPrice",
  "btcPrice",
  "ethFunding",
  "btcFunding",
  "aaveWeth",
  "aaveUsdc",
  "stethPrice",
  "usdcPrice",
  "daiPrice",
  "usdtPrice",
] as const;
export type Role = (typeof ROLES)[number];
export type OptionalRole = Exclude<Role, "ethPrice">;
export const OPTIONAL_ROLES = ROLES.filter((r): r is OptionalRole => r !== "ethPrice");

type RoleSpec = {
  layouts: readonly Layout[];
  /** Base assets the file's symbol may name (first token of "ETH/USD", "ETH-USDT", ...). */
  assets: readonly string[];
  /** For Aave market files: token decimals and the plausible oracle price range (USD). */
  aave?: { decimals: number; priceRange: [number, number] };
};

export const ROLE_SPECS: Record<Role, RoleSpec> = {
  ethPrice: { layouts: ["exchange-ohlc", "coingecko"], assets: ["ETH", "WETH"] },
  btcPrice: { layouts: ["exchange-ohlc", "coingecko"], assets: ["BTC", "WBTC", "XBT"] },
  ethFunding: { layouts: ["funding-fetcher"], assets: ["ETH"] },
  btcFunding: { layouts: ["funding-fetcher", "bitmex-funding"], assets: ["BTC", "XBT", "XBTUSD"] },
  aaveWeth: { layouts: ["aave-messari"], assets: [], aave: { decimals: 18, priceRange: [20, 100_000] } },
  aaveUsdc: { layouts: ["aave-messari"], assets: [], aave: { decimals: 6, priceRange: [0.5, 2] } },
  stethPrice: { layouts: ["coingecko"], assets: ["STETH"] },
  usdcPrice: { layouts: ["coingecko", "ohlc-dt"], assets: ["USDC"] },
  daiPrice: { layouts: ["coingecko"], assets: ["DAI"] },
  usdtPrice: { layouts: ["coingecko"], assets: ["USDT"] },
};

export type MarketInputs = { ethPrice: KnownSeries } & Partial<Record<OptionalRole, KnownSeries>>;
export type MarketFiles = { ethPrice: string } & Partial<Record<OptionalRole, string>>;

function baseAsset(symbol: string): string {
  return symbol.split(/[/\-_ ]/)[0]!.toUpperCase();
}

/** Reads one role's file and checks it fits the role. */
export function readRole(role: Role, file: string): KnownSeries {
  const spec = ROLE_SPECS[role];
  const { layout, series, symbol } = readSeries(file);
  if (!spec.layouts.includes(layout))
    throw new DataFileError({
      file,
      problem: `is in the ${layout} layout, which role "${role}" does not take (it takes ${spec.layouts.join(", ")})`,
    });
  if (symbol !== undefined && spec.assets.length > 0) {
    const base = baseAsset(symbol);
    if (!spec.assets.some((a) => base === a || (a === "XBTUSD" && base.startsWith("XBT"))))
      throw new DataFileError({
        file,
        problem: `holds ${symbol}, but role "${role}" wants ${spec.assets.join(" or ")}`,
      });
  }
  if (spec.aave) {
    const { supplied, tokenBalance } = series.columns as Record<string, Float64Array>;
    const prices: number[] = [];
    for (let i = 0; i < series.knownAtMs.length; i++) {
      const tokens = tokenBalance![i]! / 10 ** spec.aave.decimals;
      if (tokens > 0 && supplied![i]! > 1e6) prices.push(supplied![i]! / tokens);
    }
    prices.sort((a, b) => a - b);
    const median = prices[Math.floor(prices.length / 2)];
    const [lo, hi] = spec.aave.priceRange;
    if (median === undefined || median < lo || median > hi)
      throw new DataFileError({
        file,
        problem: `implies an oracle price of ${median?.toPrecision(4)} USD per token at ${spec.aave.decimals} decimals, not ${lo}-${hi}: is it the market of role "${role}"?`,
      });
  }
  return series;
}

export function readMarketInputs(files: MarketFiles): MarketInputs {
  const out: Partial<Record<Role, KnownSeries>> = {};
  for (const role of ROLES) {
    const file = files[role];
    if (file !== undefined) out[role] = readRole(role, file);
  }
  return out as MarketInputs;
}

/** The files of ../shared/data/market the market model trains on (protocol data to 2021-12). */
export const TRAINING_FILES: MarketFiles = {
  ethPrice: "price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv",
  btcPrice: "price_BTCUSD_1h_bitfinex_2019-01_2023-01.csv",
  ethFunding: "funding_ETHUSDT-perp_8h_binance_2020-2023.csv",
  btcFunding: "funding_BTCUSDT-perp_8h_binance_2020-2023.csv",
  aaveWeth: "aave_v2_WETH_market_1h_messari-subgraph_2020-11_2023-06.until-2021-12.csv",
  aaveUsdc: "aave_v2_USDC_market_1h_messari-subgraph_2020-12_2023-06.until-2021-12.csv",
  stethPrice: "price_stETH_usd_approx1h_coingecko_2021-01_2023-02.csv",
  usdcPrice: "price_USDC_usd_approx1h_coingecko_2021-01_2023-02.csv",
  daiPrice: "price_DAI_usd_approx1h_coingecko_2021-01_2023-02.csv",
  usdtPrice: "price_USDT_usd_approx1h_coingecko_2021-01_2023-02.csv",
};
