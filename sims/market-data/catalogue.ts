/**
 * What the shipped market data are made of: the raw files (with their upstream repository, path
 * and commit, from ../shared/data/market/README.md), the crisis windows cut from them, the
 * series each window carries and how each was cleaned, and the samples (one window, or a pool of
 * windows) that seeded price models are fitted to or bootstrapped from.
 *
 * This file is code, not data: the scenario schema reads it to check that a scenario names a
 * window and series that exist, and `npm run data:slices` follows it to build the slices.
 */

// ---------------------------------------------------------------------------------------------
// Raw files
// ---------------------------------------------------------------------------------------------

export type RawFile = {
  /** File name in the data folder (../shared/data/market/). */
  file: string;
  /** Upstream repository : path @ commit, as the data README gives it. */
  upstream: string;
  /** Who produced the numbers (exchange API, aggregator, subgraph). */
  origin: string;
};

const cdd = "CryptoDataDownload dump of the exchange API";
const coingecko = "CoinGecko market_chart/range API (approximately hourly points at irregular minutes)";
const aaveData =
  "bhemen/aave-data : data/usd_prices/{SYMBOL}_usd.csv @ bb4b9c93e927a324843427adf4e3cd56c3894a53";

export const RAW = {
  binanceEth: {
    file: "price_ETHUSDT_1h_binance-spot_2020-01_2021-08.csv",
    upstream:
      "shtota/time-series-prediction-experiment : data/Binance_ETHUSDT_1h.csv @ 5978b421a709c49054ef87e1770693c37df283df",
    origin: `Binance spot ETH/USDT hourly candles, ${cdd}`,
  },
  binanceBtc: {
    file: "price_BTCUSDT_1h_binance-spot_2020-01_2021-08.csv",
    upstream:
      "shtota/time-series-prediction-experiment : data/Binance_BTCUSDT_1h.csv @ 5978b421a709c49054ef87e1770693c37df283df",
    origin: `Binance spot BTC/USDT hourly candles, ${cdd}`,
  },
  bitfinexEth: {
    file: "price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv",
    upstream: "RDEvans31/saturn : data/Bitfinex_ETHUSD_1h.csv @ 7acc0cab68970ab81429cb6f5f7bef0aacbaa2ad",
    origin: `Bitfinex ETH/USD hourly candles, ${cdd}`,
  },
  bitfinexBtc: {
    file: "price_BTCUSD_1h_bitfinex_2019-01_2023-01.csv",
    upstream:
      "mactepluke/chartologist-back : data/Bitfinex_BTCUSD_1h.csv @ 407d1e9f250e235465400c3438f38418d352d540",
    origin: `Bitfinex BTC/USD hourly candles, ${cdd}`,
  },
  perpEth: {
    file: "price_ETHUSDT_1h_binance-usdm-perp_2023-01_2024-12.csv",
    upstream:
      "yagokhan/Varanus-Neo-Flow-Hybrid-Extended : data/ETHUSDT_1h.parquet @ 733ee25a8b18b479f39a797b0443edb2986a21de",
    origin: "Binance USD-M perpetual ETHUSDT hourly klines (futures last price), fapi/v1/klines",
  },
  perpBtc: {
    file: "price_BTCUSDT_1h_binance-usdm-perp_2023-01_2024-12.csv",
    upstream:
      "yagokhan/Varanus-Neo-Flow-Hybrid-Extended : data/BTCUSDT_1h.parquet @ 733ee25a8b18b479f39a797b0443edb2986a21de",
    origin: "Binance USD-M perpetual BTCUSDT hourly klines (futures last price), fapi/v1/klines",
  },
  coingeckoStEth: {
    file: "price_stETH_usd_approx1h_coingecko_2021-01_2023-02.csv",
    upstream: aaveData.replace("{SYMBOL}", "stETH"),
    origin: `${coingecko}, id staked-ether`,
  },
  coingeckoUsdc: {
    file: "price_USDC_usd_approx1h_coingecko_2021-01_2023-02.csv",
    upstream: aaveData.replace("{SYMBOL}", "USDC"),
    origin: `${coingecko}, id usd-coin`,
  },
  coingeckoDai: {
    file: "price_DAI_usd_approx1h_coingecko_2021-01_2023-02.csv",
    upstream: aaveData.replace("{SYMBOL}", "DAI"),
    origin: `${coingecko}, id dai`,
  },
  coingeckoUsdt: {
    file: "price_USDT_usd_approx1h_coingecko_2021-01_2023-02.csv",
    upstream: aaveData.replace("{SYMBOL}", "USDT"),
    origin: `${coingecko}, id tether`,
  },
  coingeckoUst: {
    file: "price_UST-wormhole_usd_approx1h_coingecko_2021-12_2023-02.csv",
    upstream: aaveData.replace("{SYMBOL}", "UST"),
    origin: `${coingecko}, id terrausd-wormhole (UST bridged to Ethereum, not native Terra UST)`,
  },
  stablesafeUsdc: {
    file: "price_USDC_usd_15m_stablesafe_2023-03-09_2023-03-18.csv",
    upstream:
      "bertrandbuild/stablesafe : data/dataset/data_usdc_large_depeg_2023.json @ 7cf49458c05b6e661aab2e7787e1bfc340a340db",
    origin:
      "15-minute USDC/USD OHLC; the repo says CoinGecko but the format does not match its script: origin unclear, a secondary source",
  },
  dailyMulti: {
    file: "price_multi_daily_coingecko_2020-01_2022-07.csv",
    upstream:
      "xujiahuayz/defi-econ : data/data_global/token_market/primary_token_price.csv @ bbed0d7362c3a0eaadcac20e43c732410d6dcaff (MIT)",
    origin: "CoinGecko daily USD prices at 00:00 UTC",
  },
  aaveWethMarket: {
    file: "aave_v2_WETH_market_1h_messari-subgraph_2020-11_2023-06.until-2021-12.csv",
    upstream:
      "MSCA-DN-Digital-Finance/stablecoin-onchain-data : data/AAVE/aave_v2_weth_eth.parquet @ 4dbee1b549c449de775a25e4558f5a94871ae0da",
    origin: "Messari-schema Aave v2 marketHourlySnapshots (Ethereum mainnet), hourlyLiquidateUSD",
  },
  aaveUsdcMarket: {
    file: "aave_v2_USDC_market_1h_messari-subgraph_2020-12_2023-06.until-2021-12.csv",
    upstream:
      "MSCA-DN-Digital-Finance/stablecoin-onchain-data : data/AAVE/aave_v2_usdc_eth.parquet @ 4dbee1b549c449de775a25e4558f5a94871ae0da",
    origin: "Messari-schema Aave v2 marketHourlySnapshots (Ethereum mainnet), hourlyLiquidateUSD",
  },
  aaveLiquidationEvents: {
    file: "aave_v2_liquidation_events_thegraph_2020-12_2022-04.until-2021-12.csv",
    upstream:
      "TheRensselaerIDEA/IDEA-Blockchain : DefiResearch/Data/liquidations.csv @ 711013a0c0021e4607368fa594a035604db599ac",
    origin: "Aave v2 LiquidationCall events from the Aave v2 subgraph (The Graph)",
  },
  aaveDailyReserves: {
    file: "aave_v2_daily_deposit_borrow_usd_dune_2020-12_2022-07.until-2021-12.csv",
    upstream:
      "xujiahuayz/defi-econ : data/data_aave/aave_top_token_historical_data.csv @ bbed0d7362c3a0eaadcac20e43c732410d6dcaff (MIT)",
    origin: "Dune query of Aave v2 daily deposits and borrows per reserve, USD",
  },
} as const satisfies Record<string, RawFile>;

export type RawId = keyof typeof RAW;

// ---------------------------------------------------------------------------------------------
// Series and how each is built
// ---------------------------------------------------------------------------------------------

/**
 * How a series moves, which decides how seeded paths draw it:
 * - `price`: a freely floating USD price; its innovations are log returns.
 * - `peg`: a USD price held near $1 by minting and redemption; its innovations are AR(1)
 *   residuals of log(price / 1), capped at the window's highest print (and at least $1).
 * - `ratio`: a price in units of another asset (stETH per ETH), held below parity by staking
 *   (1 ETH mints 1 stETH): AR(1) residuals of log(ratio), capped at 1.
 */
export type SeriesKind = "price" | "peg" | "ratio";

/** A causal Hampel filter on the raw points: a point more than `threshold` (log) away from the
 *  median of itself and the `window - 1` points before it is replaced by that median. */
export type SpikeFilter = { window: number; threshold: number };

export type SeriesRecipe =
  /** Close of the hourly candle that ends at each hour (the last trade before it). */
  | { from: "exchange-hourly"; raw: RawId }
  /** The last aggregator point at or before each grid time, after the spike filter. */
  | { from: "aggregator"; raw: RawId; spikes: SpikeFilter }
  /** stETH (aggregator) over the exchange ETH close of the hour before each stETH point (the data
   *  README's method), spike-filtered, capped at parity, then the last point at or before each hour. */
  | { from: "aggregator-over-exchange"; numerator: RawId; denominator: RawId; spikes: SpikeFilter }
  /** The close of the last 15-minute bar that ended at or before each grid time, spike-filtered. */
  | { from: "ohlc-15m"; raw: RawId; spikes: SpikeFilter }
  /** A daily 00:00 UTC print, bridged geometrically (log-linear) between days. */
  | { from: "daily"; raw: RawId; column: string };

export type SeriesSpec = {
  kind: SeriesKind;
  recipe: SeriesRecipe;
  /** What this series stands in for and what it is not, for the documentation. */
  note: string;
};

export type WindowSpec = {
  /** The named scenario this window belongs to (same id). */
  id: string;
  /** Hour 0, UTC. */
  start: string;
  hours: number;
  /** Grid of the slice, minutes. 60, or 15 where a 15-minute series exists. */
  stepMinutes: number;
  series: Record<string, SeriesSpec>;
  /** Reference series for the reported-outcomes file: the hourly candles whose lows are ETH's low. */
  lowsFrom: { ETH: RawId; BTC: RawId };
  /** Intra-hour lows shipped beside a price series, as a column "<series> low": at each full hour,
   *  the highest of the venues' lows of the candle that closed then (a level every venue traded
   *  at, which an aggregating oracle such as Chainlink's can report). Replays that declare
   *  `market.intrahourLows` put it between the closes (docs/SIMULATION.md, "Backtest"). */
  candleLows?: Record<string, readonly RawId[]>;
};

// Thresholds from the windows' own raw prints (see docs/SIMULATION.md, "Cleaning"): stablecoin
// prints rarely move 1.5% between two hourly points outside a depeg; the stETH/ETH ratio computed
// against an exchange close is noisier (the aggregator's minute is not the close's), hence 2%;
// UST and the 15-minute USDC depeg move 10-30% an hour for real, so only gross outliers go.
const stableSpikes: SpikeFilter = { window: 5, threshold: 0.015 };
const ratioSpikes: SpikeFilter = { window: 3, threshold: 0.02 };
const depegSpikes: SpikeFilter = { window: 3, threshold: 0.25 };

const exchange = (raw: RawId, note: string): SeriesSpec => ({
  kind: "price",
  recipe: { from: "exchange-hourly", raw },
  note,
});
const aggregatorPeg = (raw: RawId, note: string, spikes = stableSpikes): SeriesSpec => ({
  kind: "peg",
  recipe: { from: "aggregator", raw, spikes },
  note,
});
const dailyPeg = (column: string): SeriesSpec => ({
  kind: "peg",
  recipe: { from: "daily", raw: "dailyMulti", column },
  note: `CoinGecko daily ${column} at 00:00 UTC; the hours between are a log-linear bridge, not observations (no hourly ${column} series exists before 2021)`,
});
const stEthRatio: SeriesSpec = {
  kind: "ratio",
  recipe: {
    from: "aggregator-over-exchange",
    numerator: "coingeckoStEth",
    denominator: "bitfinexEth",
    spikes: ratioSpikes,
  },
  note: "stETH per ETH: CoinGecko stETH over the Bitfinex ETH close of the hour before each stETH point, as the data README advises",
};

const coingeckoStables = {
  USDC: aggregatorPeg("coingeckoUsdc", "CoinGecko USDC"),
  DAI: aggregatorPeg("coingeckoDai", "CoinGecko DAI"),
  USDT: aggregatorPeg("coingeckoUsdt", "CoinGecko USDT"),
};

export const WINDOWS: readonly WindowSpec[] = [
  {
    id: "march-2020-black-thursday",
    start: "2020-03-12T00:00:00Z",
    hours: 72,
    stepMinutes: 60,
    series: {
      ETH: exchange("binanceEth", "Binance spot ETH/USDT, USDT taken as USD"),
      BTC: exchange("binanceBtc", "Binance spot BTC/USDT, USDT taken as USD"),
      DAI: dailyPeg("DAI"),
      USDC: dailyPeg("USDC"),
      USDT: dailyPeg("USDT"),
    },
    lowsFrom: { ETH: "binanceEth", BTC: "binanceBtc" },
  },
  {
    id: "may-2021-deleveraging",
    start: "2021-05-19T00:00:00Z",
    hours: 48,
    stepMinutes: 60,
    series: {
      ETH: exchange("binanceEth", "Binance spot ETH/USDT, USDT taken as USD"),
      BTC: exchange("binanceBtc", "Binance spot BTC/USDT, USDT taken as USD; stands in for WBTC"),
      ...coingeckoStables,
      "stETH/ETH": stEthRatio,
    },
    lowsFrom: { ETH: "binanceEth", BTC: "binanceBtc" },
    candleLows: { ETH: ["binanceEth", "bitfinexEth"], BTC: ["binanceBtc", "bitfinexBtc"] },
  },
  {
    id: "may-2022-terra",
    start: "2022-05-07T00:00:00Z",
    hours: 168,
    stepMinutes: 60,
    series: {
      ETH: exchange("bitfinexEth", "Bitfinex ETH/USD"),
      BTC: exchange("bitfinexBtc", "Bitfinex BTC/USD"),
      UST: aggregatorPeg(
        "coingeckoUst",
        "CoinGecko terrausd-wormhole: UST bridged to Ethereum, which tracked native UST on the way down",
        depegSpikes,
      ),
      ...coingeckoStables,
      "stETH/ETH": stEthRatio,
    },
    lowsFrom: { ETH: "bitfinexEth", BTC: "bitfinexBtc" },
  },
  {
    id: "june-2022-steth-discount",
    start: "2022-06-10T00:00:00Z",
    hours: 216,
    stepMinutes: 60,
    series: {
      ETH: exchange("bitfinexEth", "Bitfinex ETH/USD"),
      BTC: exchange("bitfinexBtc", "Bitfinex BTC/USD"),
      ...coingeckoStables,
      "stETH/ETH": stEthRatio,
    },
    lowsFrom: { ETH: "bitfinexEth", BTC: "bitfinexBtc" },
  },
  {
    id: "november-2022-ftx",
    start: "2022-11-06T00:00:00Z",
    hours: 192,
    stepMinutes: 60,
    series: {
      ETH: exchange("bitfinexEth", "Bitfinex ETH/USD"),
      BTC: exchange("bitfinexBtc", "Bitfinex BTC/USD"),
      ...coingeckoStables,
      "stETH/ETH": stEthRatio,
    },
    lowsFrom: { ETH: "bitfinexEth", BTC: "bitfinexBtc" },
  },
  {
    id: "march-2023-usdc-depeg",
    start: "2023-03-10T00:00:00Z",
    hours: 96,
    stepMinutes: 15,
    series: {
      ETH: exchange(
        "perpEth",
        "Binance USD-M perpetual ETHUSDT last price (within 0.1% of spot), USDT taken as USD",
      ),
      BTC: exchange("perpBtc", "Binance USD-M perpetual BTCUSDT last price, USDT taken as USD"),
      USDC: {
        kind: "peg",
        recipe: { from: "ohlc-15m", raw: "stablesafeUsdc", spikes: depegSpikes },
        note: "15-minute USDC closes from a secondary source of unclear origin (the CoinGecko files end on 2023-02-25)",
      },
    },
    lowsFrom: { ETH: "perpEth", BTC: "perpBtc" },
  },
];

export const WINDOW_IDS = WINDOWS.map((w) => w.id);

export function windowSpec(id: string): WindowSpec | undefined {
  return WINDOWS.find((w) => w.id === id);
}

// ---------------------------------------------------------------------------------------------
// Samples: what seeded models learn from
// ---------------------------------------------------------------------------------------------

export type SampleSpec = {
  id: string;
  windows: readonly string[];
  /** Mean block length of the stationary bootstrap, hours. */
  meanBlockHours: number;
  note: string;
};

/**
 * Every window is a sample of itself; pools combine windows that carry the same series. Mean
 * blocks of 12 hours keep an intraday cascade (these crashes unfolded over 4-12 hours) in one
 * block, while a 48-216 hour window still offers a path 4-18 blocks to recombine.
 */
export const SAMPLES: readonly SampleSpec[] = [
  ...WINDOWS.map((w) => ({
    id: w.id,
    windows: [w.id],
    meanBlockHours: 12,
    note: `the ${w.id} window alone`,
  })),
  {
    id: "crises-2022",
    windows: ["may-2022-terra", "june-2022-steth-discount", "november-2022-ftx"],
    meanBlockHours: 12,
    note: "the three 2022 crisis windows pooled (576 hours with ETH, BTC, stablecoins and stETH/ETH all on one venue set)",
  },
];

export const SAMPLE_IDS = SAMPLES.map((s) => s.id);

export function sampleSpec(id: string): SampleSpec | undefined {
  return SAMPLES.find((s) => s.id === id);
}

/** Series present in every window of a sample. */
export function sampleSeries(id: string): string[] {
  const sample = sampleSpec(id);
  if (!sample) return [];
  const lists = sample.windows.map((w) => Object.keys(windowSpec(w)?.series ?? {}));
  return lists[0]!.filter((s) => lists.every((l) => l.includes(s)));
}

export function seriesKind(windowOrSample: string, series: string): SeriesKind | undefined {
  const sample = sampleSpec(windowOrSample);
  const first = sample ? sample.windows[0]! : windowOrSample;
  return windowSpec(first)?.series[series]?.kind;
}

// ---------------------------------------------------------------------------------------------
// The long-sample GARCH fit
// ---------------------------------------------------------------------------------------------

/** Hourly returns that give volatility dynamics (persistence, tails, correlation) to fitted paths. */
export const GARCH_FIT = {
  from: "2019-01-01T00:00:00Z",
  to: "2023-01-01T00:00:00Z",
  assets: { ETH: "bitfinexEth", BTC: "bitfinexBtc" } as Record<string, RawId>,
  note: "Bitfinex hourly closes, 2019-01-01 to 2022-12-31: four years of calm and crisis on one venue; returns across a missing hour are dropped",
} as const;
