/**
 * Readers of the raw files in ../shared/data/market/ (build time only: a user's clone has no such
 * folder). Each returns typed arrays of UTC seconds and values, sorted, and fails with the file and
 * row when a file does not look as its README says.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { RAW, type RawId } from "./catalogue.ts";
import { MarketDataError } from "./errors.ts";

type Row = Record<string, string>;

export function readRows(dataDir: string, raw: RawId): Row[] {
  const path = join(dataDir, RAW[raw].file);
  if (!existsSync(path))
    throw new MarketDataError({
      problem: `${RAW[raw].file} is not in ${dataDir}`,
      hint: "Point --data at the market data folder (../shared/data/market from a worktree); see its README.",
    });
  return parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Row[];
}

const number = (raw: RawId, row: number, column: string, s: string | undefined): number => {
  const x = Number(s);
  if (s === undefined || s === "" || !Number.isFinite(x))
    throw new MarketDataError({
      problem: `${RAW[raw].file} row ${row + 2}: ${column} is "${s}", expected a number`,
    });
  return x;
};

/** "2020-01-01 00:00:00+00:00" or "2020-01-01 00:00:00" (UTC) -> seconds. */
export function utcSeconds(s: string): number {
  const iso = s.includes("T") ? s : `${s.replace(" ", "T")}${/[+-]\d\d:\d\d$|Z$/.test(s) ? "" : "Z"}`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new MarketDataError({ problem: `unreadable timestamp "${s}"` });
  return ms / 1000;
}

export type Candles = {
  /** Opening time of each candle, UTC seconds, ascending and unique. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
};

export function readCandles(dataDir: string, raw: RawId): Candles {
  const rows = readRows(dataDir, raw);
  const c: Candles = {
    time: new Float64Array(rows.length),
    open: new Float64Array(rows.length),
    high: new Float64Array(rows.length),
    low: new Float64Array(rows.length),
    close: new Float64Array(rows.length),
  };
  rows.forEach((r, i) => {
    c.time[i] = utcSeconds(r.timestamp_utc ?? r.dt ?? "");
    c.open[i] = number(raw, i, "open", r.open ?? r.o);
    c.high[i] = number(raw, i, "high", r.high ?? r.h);
    c.low[i] = number(raw, i, "low", r.low ?? r.l);
    c.close[i] = number(raw, i, "close", r.close ?? r.c);
    if (i > 0 && c.time[i]! <= c.time[i - 1]!)
      throw new MarketDataError({ problem: `${RAW[raw].file} row ${i + 2}: time does not increase` });
  });
  return c;
}

export type Points = { time: Float64Array; value: Float64Array };

/** CoinGecko files: symbol,timestamp (unix ms),USD_price. */
export function readAggregatorPoints(dataDir: string, raw: RawId): Points {
  const rows = readRows(dataDir, raw);
  const p: Points = { time: new Float64Array(rows.length), value: new Float64Array(rows.length) };
  rows.forEach((r, i) => {
    p.time[i] = number(raw, i, "timestamp", r.timestamp) / 1000;
    p.value[i] = number(raw, i, "USD_price", r.USD_price);
    if (i > 0 && p.time[i]! <= p.time[i - 1]!)
      throw new MarketDataError({ problem: `${RAW[raw].file} row ${i + 2}: timestamp does not increase` });
  });
  return p;
}

/** The daily multi-asset file: one column per token, a unix-seconds index; empty cells skipped. */
export function readDailyColumn(dataDir: string, raw: RawId, column: string): Points {
  const rows = readRows(dataDir, raw).filter((r) => r[column] !== undefined && r[column] !== "");
  if (rows.length === 0)
    throw new MarketDataError({ problem: `${RAW[raw].file} has no values in column "${column}"` });
  return {
    time: Float64Array.from(rows, (r) => utcSeconds(`${r.Date}T00:00:00Z`)),
    value: Float64Array.from(rows, (r, i) => number(raw, i, column, r[column])),
  };
}
