/**
 * Cuts one crisis window out of the raw files and cleans it into slice columns (build time).
 * Every series ends on the window's grid with a flag per cell saying what was done to it:
 *
 *   ""  the value as observed (the last trade, print or bar close before the grid time)
 *   "g" gap: no candle or bar ended at this time; the previous one is carried
 *   "s" stale: the last aggregator point is more than two hours old
 *   "h" held: the spike filter replaced the point used here by its causal median
 *   "c" capped: a stETH/ETH ratio above 1 (a timing artefact: staking mints 1:1) set to 1
 *   "i" interpolated: a daily series between its 00:00 prints (log-linear bridge, not causal)
 *
 * Exchange candles give values only at full hours; a 15-minute window leaves the cells between
 * them empty.
 */
import type { RawId, SeriesSpec, WindowSpec } from "./catalogue.ts";
import { causalHampel, lastObservation } from "./causal-filters.ts";
import { MarketDataError } from "./errors.ts";
import { type Candles, type Points, readAggregatorPoints, readCandles, readDailyColumn } from "./read-raw.ts";

const HOUR = 3600;
/** Points older than this at a grid time are flagged stale (aggregator points come about hourly). */
const MAX_AGGREGATOR_AGE = 2 * HOUR;
/** History read before the window so the filters are warmed up at hour 0. */
const LOOKBACK = 24 * HOUR;

export type SliceColumn = { values: Float64Array; flags: string[] };

export type BuiltWindow = {
  spec: WindowSpec;
  /** Grid times, UTC seconds. */
  grid: Float64Array;
  columns: Map<string, SliceColumn>;
};

/** Caches raw reads across windows within one build. */
export type RawCache = {
  candles(raw: RawId): Candles;
  points(raw: RawId): Points;
  daily(raw: RawId, column: string): Points;
};

export function createRawCache(dataDir: string): RawCache {
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, read: () => T): T => {
    if (!memo.has(key)) memo.set(key, read());
    return memo.get(key) as T;
  };
  return {
    candles: (raw) => once(`c:${raw}`, () => readCandles(dataDir, raw)),
    points: (raw) => once(`p:${raw}`, () => readAggregatorPoints(dataDir, raw)),
    daily: (raw, column) => once(`d:${raw}:${column}`, () => readDailyColumn(dataDir, raw, column)),
  };
}

export function windowGrid(spec: WindowSpec): Float64Array {
  const start = Date.parse(spec.start) / 1000;
  const n = (spec.hours * 60) / spec.stepMinutes;
  return Float64Array.from({ length: n + 1 }, (_, k) => start + k * spec.stepMinutes * 60);
}

export function buildWindow(spec: WindowSpec, raw: RawCache): BuiltWindow {
  const grid = windowGrid(spec);
  const columns = new Map<string, SliceColumn>();
  for (const [name, series] of Object.entries(spec.series)) {
    const column = buildSeries(series, grid, raw);
    const missing = column.values.findIndex((v, k) => Number.isNaN(v) && isFullHour(grid[k]!, series));
    if (missing >= 0)
      throw new MarketDataError({
        problem: `${spec.id} ${name}: no data at ${new Date(grid[missing]! * 1000).toISOString()}`,
        hint: "The window starts before the series does; choose another source in sims/market-data/catalogue.ts.",
      });
    columns.set(name, column);
  }
  for (const [name, raws] of Object.entries(spec.candleLows ?? {}))
    columns.set(
      `${name} low`,
      candleLows(
        raws.map((r) => raw.candles(r)),
        grid,
      ),
    );
  return { spec, grid, columns };
}

/** At each full hour, the highest of the venues' lows of the candle that closed then ("g" where a
 *  venue has no candle for that hour: the other venues' lows are used). */
export function candleLows(venues: readonly Candles[], grid: Float64Array): SliceColumn {
  const values = new Float64Array(grid.length).fill(Number.NaN);
  const flags = Array.from(grid, () => "");
  const lowAt = venues.map((c) => new Map(Array.from(c.time, (t, i) => [t + HOUR, c.low[i]!])));
  for (let k = 0; k < grid.length; k++) {
    if (grid[k]! % HOUR !== 0) continue;
    const lows = lowAt.map((m) => m.get(grid[k]!)).filter((v): v is number => v !== undefined);
    if (lows.length < venues.length) flags[k] = "g";
    if (lows.length > 0) values[k] = Math.max(...lows);
  }
  return { values, flags };
}

const isFullHour = (t: number, series: SeriesSpec) =>
  series.recipe.from !== "exchange-hourly" || t % HOUR === 0;

function buildSeries(series: SeriesSpec, grid: Float64Array, raw: RawCache): SliceColumn {
  const recipe = series.recipe;
  switch (recipe.from) {
    case "exchange-hourly":
      return exchangeCloses(raw.candles(recipe.raw), grid);
    case "aggregator": {
      const p = window(raw.points(recipe.raw), grid);
      const filtered = causalHampel({ values: p.value, ...recipe.spikes });
      return resample(p.time, filtered.values, filtered.replaced, undefined, grid);
    }
    case "aggregator-over-exchange": {
      const p = window(raw.points(recipe.numerator), grid);
      const candles = raw.candles(recipe.denominator);
      // The exchange close at or before each aggregator point: the candle ending at its hour.
      const closes = lastObservation({
        times: Float64Array.from(candles.time, (t) => t + HOUR),
        values: candles.close,
        grid: p.time,
        maxAgeSeconds: 2 * HOUR,
      });
      const ratio = p.value.map((v, i) => v / closes.values[i]!);
      const filtered = causalHampel({ values: ratio, ...recipe.spikes });
      const capped = new Uint8Array(ratio.length);
      const values = filtered.values.map((r, i) => {
        if (r <= 1) return r;
        capped[i] = 1;
        return 1;
      });
      return resample(p.time, values, filtered.replaced, capped, grid);
    }
    case "ohlc-15m": {
      const bars = raw.candles(recipe.raw);
      const end = Float64Array.from(bars.time, (t) => t + 15 * 60);
      const filtered = causalHampel({ values: bars.close, ...recipe.spikes });
      const r = lastObservation({ times: end, values: filtered.values, grid, maxAgeSeconds: 0 });
      return {
        values: r.values,
        flags: Array.from(
          grid,
          (_, k) => (r.stale[k] ? "g" : "") + (filtered.replaced[r.source[k]!] ? "h" : ""),
        ),
      };
    }
    case "daily":
      return dailyBridge(raw.daily(recipe.raw, recipe.column), grid);
  }
}

/** Points from a day before the window to its end. */
function window(p: Points, grid: Float64Array): Points {
  const from = grid[0]! - LOOKBACK;
  const to = grid[grid.length - 1]!;
  let a = 0;
  while (a < p.time.length && p.time[a]! < from) a++;
  let b = a;
  while (b < p.time.length && p.time[b]! <= to) b++;
  return { time: p.time.slice(a, b), value: p.value.slice(a, b) };
}

function resample(
  times: Float64Array,
  values: Float64Array,
  replaced: Uint8Array,
  capped: Uint8Array | undefined,
  grid: Float64Array,
): SliceColumn {
  const r = lastObservation({ times, values, grid, maxAgeSeconds: MAX_AGGREGATOR_AGE });
  return {
    values: r.values,
    flags: Array.from(grid, (_, k) => {
      const i = r.source[k]!;
      if (i < 0) return "";
      return (r.stale[k] ? "s" : "") + (replaced[i] ? "h" : "") + (capped?.[i] ? "c" : "");
    }),
  };
}

function exchangeCloses(c: Candles, grid: Float64Array): SliceColumn {
  const values = new Float64Array(grid.length).fill(Number.NaN);
  const flags = Array.from(grid, () => "");
  // The candle opening an hour before t closed at t.
  const r = lastObservation({
    times: Float64Array.from(c.time, (t) => t + HOUR),
    values: c.close,
    grid,
    maxAgeSeconds: 0,
  });
  for (let k = 0; k < grid.length; k++) {
    if (grid[k]! % HOUR !== 0) continue;
    values[k] = r.values[k]!;
    if (r.stale[k]) flags[k] = "g";
  }
  return { values, flags };
}

function dailyBridge(p: Points, grid: Float64Array): SliceColumn {
  const values = new Float64Array(grid.length).fill(Number.NaN);
  const flags = Array.from(grid, () => "");
  let j = 0;
  for (let k = 0; k < grid.length; k++) {
    const t = grid[k]!;
    while (j + 1 < p.time.length && p.time[j + 1]! <= t) j++;
    if (p.time[j]! > t || j + 1 >= p.time.length) continue; // outside the daily series: left empty
    const a = p.time[j]!;
    const b = p.time[j + 1]!;
    const f = (t - a) / (b - a);
    values[k] = Math.exp((1 - f) * Math.log(p.value[j]!) + f * Math.log(p.value[j + 1]!));
    if (t !== a) flags[k] = "i";
  }
  return { values, flags };
}
