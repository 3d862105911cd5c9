/**
 * Health-factor distributions of Aave v2's WETH and WBTC collateral, each fitted only on the days
 * BEFORE the 19 May 2021 backtest window (no look-ahead): 2021-01-01 to 2021-05-16.
 *
 * Why per collateral: on 19 May Aave v2 seized $43.6M of WBTC collateral (3.3% of the WBTC
 * supplied) although BTC fell less than ETH, so WBTC borrowers sat nearer liquidation than WETH's
 * and one distribution for both books misses them (sims/market-data/liquidation-breakdown.ts).
 *
 * Observed per day: collateral liquidated over the collateral supplied at the day's start, against
 * the fall from the day's open to its lowest hourly low (Bitfinex), fitted with the model of
 * fit-health-factors.ts. WETH: the Messari hourly market (as there). WBTC: the subgraph's
 * LiquidationCall events with WBTC collateral, valued at the Bitfinex BTC close of the event's hour,
 * over the previous day's WBTC deposits (Dune daily). The event file's amounts are raw base units
 * until about 2021-07-27 (data README §6), which covers the whole window.
 */
import { MarketDataError } from "./errors.ts";
import {
  type DayRanges,
  dayRanges,
  type FallDay,
  fallDays,
  fitLognormalExcess,
  liquidatedShare,
  seizedShareOf,
} from "./fit-health-factors.ts";
import { readCandles, readRows, utcSeconds } from "./read-raw.ts";

export const PRE_EVENT_WINDOW = { from: "2021-01-01", to: "2021-05-16" } as const;
const EVENT_DAY = "2021-05-19";
const WBTC_DECIMALS = 8;
const HOUR = 3600;

/**
 * Aave v2's collateral parameters for the two reserves in May 2021 (the may-2021 scenario's
 * reserves carry the same; a test checks it): each book's fit uses its own seized share, since
 * WBTC's 75% threshold and 10% bonus take less of a position per liquidation than WETH's.
 */
export const AAVE_V2_COLLATERAL = {
  WETH: { liquidationThreshold: 0.825, liquidationBonus: 0.05 },
  WBTC: { liquidationThreshold: 0.75, liquidationBonus: 0.1 },
} as const;

export const PRE_EVENT_MODEL =
  "share liquidated on a day = s x P(HF < 1 / (1 - fall)), s = 0.5 close factor x liquidation threshold x (1 + bonus) of the reserve (WETH 0.4331, WBTC 0.4125); least squares on log(share + 0.001) over days with a fall of at least 5%";

export type ReserveHealthFit = {
  medianExcess: number;
  sigma: number;
  /** The share of a position's collateral one liquidation takes near HF 1 (seizedShareOf). */
  seizedShare: number;
  /** Days with a fall of at least 5% that the fit used. */
  days: number;
  sources: { liquidations: string; supplied: string; prices: string };
  /** The backtest day, not used by the fit: its fall, the observed and the fitted share. */
  eventDay: { day: string; fall: number; observedShare: number; fittedShare: number };
};

export type PreEventHealthFile = {
  about: string;
  window: { from: string; to: string };
  model: string;
  reserves: Record<"WETH" | "WBTC", ReserveHealthFit>;
};

type Candles = ReturnType<typeof readCandles>;

/**
 * Each day's fall measured as the may-2021 replay prices the event day: from Binance's day open
 * (the replay's hour 0 is a Binance close) to the lowest, over the day's hours, of the higher of
 * Binance's and Bitfinex's lows of each hourly candle (market.intrahourLows: a level both venues
 * traded at; build-window.ts). A fit on Bitfinex's own lows measured deeper falls than the replay
 * gives the same day (BTC on 19 May: 31.1% against 30.0%), so it placed the book too far from
 * liquidation for the engine. An hour only one venue has uses that venue's low.
 */
export function replayDayRanges(binance: Candles, bitfinex: Candles): DayRanges {
  const open = new Map<string, number>();
  const byHour = new Map<number, number>();
  for (let i = 0; i < binance.time.length; i++) byHour.set(binance.time[i]!, binance.low[i]!);
  for (let i = 0; i < bitfinex.time.length; i++) {
    const t = bitfinex.time[i]!;
    byHour.set(t, Math.max(byHour.get(t) ?? 0, bitfinex.low[i]!));
  }
  binance.time.forEach((t, i) => {
    const day = new Date(t * 1000).toISOString().slice(0, 10);
    if (!open.has(day)) open.set(day, binance.open[i]!);
  });
  const low = new Map<string, number>();
  for (const [t, l] of byHour) {
    const day = new Date(t * 1000).toISOString().slice(0, 10);
    low.set(day, Math.min(low.get(day) ?? Number.POSITIVE_INFINITY, l));
  }
  return { open, low };
}

/** WBTC collateral seized per UTC day (USD at the Bitfinex BTC close of each event's hour) and
 *  the number of events, from the subgraph's LiquidationCall events. */
export function wbtcSeizedByDay(
  dataDir: string,
  from: string,
  to: string,
  btc: Candles = readCandles(dataDir, "bitfinexBtc"),
): Map<string, { usd: number; events: number }> {
  const closeAt = new Map(Array.from(btc.time, (t, i) => [t, btc.close[i]!]));
  const liquidated = new Map<string, { usd: number; events: number }>();
  for (const e of readRows(dataDir, "aaveLiquidationEvents")) {
    if (e.collateralReserve !== "WBTC") continue;
    const stamp = e.timestamp_utc ?? "";
    const day = stamp.slice(0, 10);
    if (day < from || day > to) continue;
    const hour = Math.floor(utcSeconds(stamp) / HOUR) * HOUR;
    const price = closeAt.get(hour);
    const amount = Number(e.collateralAmount) / 10 ** WBTC_DECIMALS;
    if (price === undefined || !Number.isFinite(amount) || amount > 1e4)
      throw new MarketDataError({
        problem: `WBTC liquidation at ${stamp}: amount ${e.collateralAmount} or BTC price at its hour unusable`,
      });
    const acc = liquidated.get(day) ?? { usd: 0, events: 0 };
    liquidated.set(day, { usd: acc.usd + amount * price, events: acc.events + 1 });
  }
  return liquidated;
}

/** WBTC-collateral fall days from the event file, the Dune daily deposits and Bitfinex BTC. */
export function wbtcFallDays(dataDir: string, from: string, to: string, ranges?: DayRanges): FallDay[] {
  const btc = readCandles(dataDir, "bitfinexBtc");
  const liquidated = wbtcSeizedByDay(dataDir, from, to, btc);
  const deposits = new Map<string, number>();
  for (const r of readRows(dataDir, "aaveDailyReserves"))
    if (r.symbol === "WBTC") deposits.set((r.day ?? "").slice(0, 10), Number(r.deposit));
  const { open, low } = ranges ?? dayRanges(btc);
  const out: FallDay[] = [];
  for (const [day, o] of open) {
    if (day < from || day > to) continue;
    const previous = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const supplied = deposits.get(previous);
    if (!(supplied !== undefined && supplied > 0)) continue;
    out.push({ day, fall: 1 - low.get(day)! / o, share: (liquidated.get(day)?.usd ?? 0) / supplied });
  }
  return out.sort((a, b) => a.day.localeCompare(b.day));
}

function reserveFit(
  days: FallDay[],
  event: FallDay,
  reserve: keyof typeof AAVE_V2_COLLATERAL,
  sources: ReserveHealthFit["sources"],
): ReserveHealthFit {
  const seizedShare = seizedShareOf(AAVE_V2_COLLATERAL[reserve]);
  const fit = fitLognormalExcess(days, seizedShare);
  return {
    medianExcess: fit.medianExcess,
    sigma: fit.sigma,
    seizedShare: Number(seizedShare.toFixed(6)),
    days: fit.days,
    sources,
    eventDay: {
      day: event.day,
      fall: Number(event.fall.toFixed(6)),
      observedShare: Number(event.share.toFixed(6)),
      fittedShare: Number(liquidatedShare(event.fall, fit.medianExcess, fit.sigma, seizedShare).toFixed(6)),
    },
  };
}

export function fitPreEventHealth(dataDir: string): PreEventHealthFile {
  const { from, to } = PRE_EVENT_WINDOW;
  const eth = replayDayRanges(readCandles(dataDir, "binanceEth"), readCandles(dataDir, "bitfinexEth"));
  const btc = replayDayRanges(readCandles(dataDir, "binanceBtc"), readCandles(dataDir, "bitfinexBtc"));
  const wethEvent = fallDays(dataDir, EVENT_DAY, EVENT_DAY, eth)[0];
  const wbtcEvent = wbtcFallDays(dataDir, EVENT_DAY, EVENT_DAY, btc)[0];
  if (!wethEvent || !wbtcEvent) throw new MarketDataError({ problem: `no data for ${EVENT_DAY}` });
  return {
    about:
      "Collateral-weighted health factors of Aave v2's WETH and WBTC collateral books, HF = 1 + medianExcess x exp(sigma Z), each fitted on its own liquidations before the 19 May 2021 window only (sims/market-data/fit-pre-event-health.ts). The may-2021-deleveraging scenario copies them into its Aave reserves' initialHealthFactor.",
    window: { from, to },
    model: PRE_EVENT_MODEL,
    reserves: {
      WETH: reserveFit(fallDays(dataDir, from, to, eth), wethEvent, "WETH", {
        liquidations:
          "aave_v2_WETH_market_1h_messari-subgraph (hourlyLiquidateUSD, non-forward-filled hours)",
        supplied: "the same file, supplied_USD at the day's first snapshot",
        prices:
          "price_ETHUSDT_1h_binance-spot (day open) and, per hour, the higher of its and price_ETHUSD_1h_bitfinex's candle lows (the day's lowest of those)",
      }),
      WBTC: reserveFit(wbtcFallDays(dataDir, from, to, btc), wbtcEvent, "WBTC", {
        liquidations:
          "aave_v2_liquidation_events_thegraph (WBTC collateral, raw amount / 1e8, at the Bitfinex BTC close of the event's hour)",
        supplied: "aave_v2_daily_deposit_borrow_usd_dune (WBTC deposit of the day before)",
        prices:
          "price_BTCUSDT_1h_binance-spot (day open) and, per hour, the higher of its and price_BTCUSD_1h_bitfinex's candle lows (the day's lowest of those)",
      }),
    },
  };
}
