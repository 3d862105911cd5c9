/**
 * Reference numbers for the backtest (issue 11 item 5), taken from the raw files at build time and
 * shipped as slices/reported-outcomes.json so a clone without ../shared can compare against them:
 *
 * - per window: ETH's and BTC's real low (the lowest hourly candle low inside the window, and the
 *   lowest hourly close), their start and end, and each peg's and ratio's extreme in the slice;
 * - Aave v2 hourly liquidations (hourlyLiquidateUSD, Messari subgraph) of the WETH and USDC
 *   collateral markets over the 2021-05-19 window, non-forward-filled rows only (the data README:
 *   forward-filled rows copy the previous hour and double-count).
 *
 * Later Aave data (2022 on) is held back in ../shared for out-of-sample judgement and is not here.
 */
import type { BuiltWindow, RawCache } from "./build-window.ts";
import { RAW, type RawId, WINDOWS } from "./catalogue.ts";
import { MarketDataError } from "./errors.ts";
import { wbtcSeizedByDay } from "./fit-pre-event-health.ts";
import { round8 } from "./json-format.ts";
import { readRows, utcSeconds } from "./read-raw.ts";

const HOUR = 3600;
const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

type Extreme = { value: number; at: string };

export type WindowOutcome = {
  start: string;
  end: string;
  prices: Record<
    string,
    {
      source: string;
      start: number;
      end: number;
      /** The lowest candle low, and when that hourly candle opened. */
      low: { value: number; candleOpenedAt: string };
      /** The lowest close, and when it printed (the candle's end). */
      lowestClose: Extreme;
      lowFromStart: number;
    }
  >;
  pegs: Record<string, { min: Extreme; max: Extreme }>;
};

export type LiquidationHour = { hourUtc: string; usd: number | null };

export type ReportedOutcomesFile = {
  about: string;
  windows: Record<string, WindowOutcome>;
  aaveV2Liquidations: {
    window: string;
    source: Record<string, string>;
    note: string;
    markets: Record<
      string,
      {
        hours: LiquidationHour[];
        totalUsd: number;
        byDayUtc: Record<string, number>;
        peak: { hourUtc: string; usd: number };
      }
    >;
  };
  /** Collateral seized on one day by collateral reserve, from the event-level file (the Messari
   *  markets cover WETH and USDC collateral only). */
  aaveV2SeizedByCollateral: {
    day: string;
    source: string;
    byReserve: Record<string, { usd: number; events: number }>;
  };
};

export function reportedOutcomes(
  built: readonly BuiltWindow[],
  raw: RawCache,
  dataDir: string,
): ReportedOutcomesFile {
  const windows: Record<string, WindowOutcome> = {};
  for (const w of built) {
    const start = w.grid[0]!;
    const end = w.grid[w.grid.length - 1]!;
    const prices: WindowOutcome["prices"] = {};
    for (const [asset, id] of Object.entries(w.spec.lowsFrom))
      prices[asset] = candleLow(raw, id as RawId, start, end);
    const pegs: WindowOutcome["pegs"] = {};
    for (const [name, column] of w.columns) {
      if (w.spec.series[name]?.kind !== "peg" && w.spec.series[name]?.kind !== "ratio") continue;
      let lo = 0;
      let hi = 0;
      column.values.forEach((v, k) => {
        if (v < column.values[lo]!) lo = k;
        if (v > column.values[hi]!) hi = k;
      });
      pegs[name] = {
        min: { value: round8(column.values[lo]!), at: iso(w.grid[lo]!) },
        max: { value: round8(column.values[hi]!), at: iso(w.grid[hi]!) },
      };
    }
    windows[w.spec.id] = { start: iso(start), end: iso(end), prices, pegs };
  }
  const may2021 = WINDOWS.find((w) => w.id === "may-2021-deleveraging")!;
  const from = Date.parse(may2021.start) / 1000;
  const to = from + may2021.hours * HOUR;
  return {
    about:
      "Reported outcomes for backtests, from the raw market data (regenerate with npm run data:slices). Prices: the lowest hourly candle low and the lowest hourly close inside each window [start, end), from the same venue the window's slice uses. Pegs: the extremes of the cleaned slice series. Aave: hourly liquidated collateral (USD) of Aave v2's WETH and USDC collateral markets; WBTC collateral seized on 19 May 2021 from the event-level file.",
    windows,
    aaveV2Liquidations: {
      window: may2021.id,
      source: {
        WETH: `${RAW.aaveWethMarket.file} (${RAW.aaveWethMarket.upstream}); ${RAW.aaveWethMarket.origin}`,
        USDC: `${RAW.aaveUsdcMarket.file} (${RAW.aaveUsdcMarket.upstream}); ${RAW.aaveUsdcMarket.origin}`,
      },
      note: "hourUtc is the subgraph snapshot time rounded up to the hour (the file's hour_utc). usd is null where the row is forward-filled (ffill_row_derived True): the hour had no snapshot and its value is unknown, not zero. Only the WETH and USDC collateral markets are covered (not WBTC, stETH or LINK collateral), so these totals are a lower bound on Aave v2's liquidations.",
      markets: {
        WETH: aaveHours(dataDir, "aaveWethMarket", from, to),
        USDC: aaveHours(dataDir, "aaveUsdcMarket", from, to),
      },
    },
    aaveV2SeizedByCollateral: {
      day: "2021-05-19",
      source: `${RAW.aaveLiquidationEvents.file} (${RAW.aaveLiquidationEvents.upstream}): LiquidationCall events with WBTC collateral, raw amount / 1e8, valued at the Bitfinex BTC/USD close of the event's hour (${RAW.bitfinexBtc.file})`,
      byReserve: {
        WBTC: (() => {
          const d = wbtcSeizedByDay(dataDir, "2021-05-19", "2021-05-19").get("2021-05-19");
          if (!d)
            throw new MarketDataError({ problem: "no WBTC liquidations on 2021-05-19 in the event file" });
          return { usd: round8(d.usd), events: d.events };
        })(),
      },
    },
  };
}

function candleLow(raw: RawCache, id: RawId, start: number, end: number) {
  const c = raw.candles(id);
  let low = -1;
  let lowClose = -1;
  let first = -1;
  let last = -1;
  for (let i = 0; i < c.time.length; i++) {
    const t = c.time[i]!;
    if (t < start || t >= end) continue;
    if (first < 0) first = i;
    last = i;
    if (low < 0 || c.low[i]! < c.low[low]!) low = i;
    if (lowClose < 0 || c.close[i]! < c.close[lowClose]!) lowClose = i;
  }
  if (low < 0)
    throw new MarketDataError({ problem: `${RAW[id].file} has no candles in ${iso(start)}..${iso(end)}` });
  const open = c.open[first]!;
  return {
    source: `${RAW[id].file}: hourly candles opening in [start, end)`,
    start: round8(open),
    end: round8(c.close[last]!),
    low: { value: round8(c.low[low]!), candleOpenedAt: iso(c.time[low]!) },
    lowestClose: { value: round8(c.close[lowClose]!), at: iso(c.time[lowClose]! + HOUR) },
    lowFromStart: round8(c.low[low]! / open - 1),
  };
}

function aaveHours(dataDir: string, id: RawId, from: number, to: number) {
  const hours: LiquidationHour[] = [];
  const byDayUtc: Record<string, number> = {};
  let totalUsd = 0;
  let peak = { hourUtc: "", usd: -1 };
  for (const row of readRows(dataDir, id)) {
    const t = utcSeconds(row.hour_utc ?? "");
    if (t < from || t >= to) continue;
    const hourUtc = iso(t);
    if (row.ffill_row_derived === "True") {
      hours.push({ hourUtc, usd: null });
      continue;
    }
    if (row.ffill_row_derived !== "False")
      throw new MarketDataError({
        problem: `${RAW[id].file}: ffill_row_derived is "${row.ffill_row_derived}" at ${hourUtc}`,
      });
    const usd = Number(row.liquidations);
    hours.push({ hourUtc, usd: round8(usd) });
    totalUsd += usd;
    const day = hourUtc.slice(0, 10);
    byDayUtc[day] = (byDayUtc[day] ?? 0) + usd;
    if (usd > peak.usd) peak = { hourUtc, usd };
  }
  for (const d of Object.keys(byDayUtc)) byDayUtc[d] = round8(byDayUtc[d]!);
  return { hours, totalUsd: round8(totalUsd), byDayUtc, peak: { ...peak, usd: round8(peak.usd) } };
}
