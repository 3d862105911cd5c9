/**
 * The file layouts of ../shared/data/market (see its README), recognised by their header, each
 * read into a KnownSeries with the instant each value became known:
 *
 * - `exchange-ohlc`: CryptoDataDownload dumps (Bitfinex, Binance spot: timestamp_utc, unix, date,
 *   symbol, open, high, low, close, ...) and the Binance USD-M perp files (timestamp_utc, open,
 *   ..., volume). A candle opens at timestamp_utc; its close is known one interval later.
 * - `ohlc-dt`: the 15-minute USDC file (dt, o, h, l, c, v); close known at dt + interval.
 * - `coingecko`: symbol, timestamp (unix ms), USD_price; known at timestamp. Aggregator spikes
 *   are filtered later, causally (features/market/spike-filter.ts).
 * - `funding-fetcher`: Symbol, Date, Funding Rate[, date_utc_derived] (Binance, Bybit 8 h; dYdX
 *   1 h). `Date` is UTC+3 for Binance and Bybit: settlements at 00/08/16 UTC read 03/11/19. We use
 *   date_utc_derived when present (and check it), else infer the clock from the settlement hours.
 *   Rates are per interval; we convert them to per 8 h so that sources compare.
 * - `bitmex-funding`: timestamp (ISO Z), symbol, fundingInterval, fundingRate, ...; per 8 h.
 * - `aave-messari`: hour_utc, ..., supplied_USD, borrowed_USD, liquidations, token_balance,
 *   *_apr, ffill_row_derived. Known at hour_utc (snapshot time rounded up). Liquidations on
 *   forward-filled rows are copies of the previous hour's and are zeroed.
 */
import { DataFileError } from "../../errors.ts";
import { type CsvTable, columnIndex, numberCell, readCsv, timeCell, unixMsCell } from "./read-csv.ts";
import { HOUR_MS, type KnownSeries, makeSeries, medianSpacing } from "./series.ts";

export const LAYOUTS = [
  "exchange-ohlc",
  "ohlc-dt",
  "coingecko",
  "funding-fetcher",
  "bitmex-funding",
  "aave-messari",
] as const;
export type Layout = (typeof LAYOUTS)[number];

export function detectLayout(t: CsvTable): Layout {
  const h = new Set(t.header);
  if (h.has("timestamp_utc") && h.has("close")) return "exchange-ohlc";
  if (h.has("dt") && h.has("c")) return "ohlc-dt";
  if (h.has("USD_price") && h.has("timestamp")) return "coingecko";
  if (h.has("Funding Rate") && h.has("Date")) return "funding-fetcher";
  if (h.has("fundingRate") && h.has("fundingInterval")) return "bitmex-funding";
  if (h.has("hour_utc") && h.has("liquidations") && h.has("ffill_row_derived")) return "aave-messari";
  throw new DataFileError({
    file: t.file,
    problem: `is in no known layout (header: ${t.header.join(",")})`,
    hint: `Known layouts: ${LAYOUTS.join(", ")} (the files of ../shared/data/market).`,
  });
}

/** The asset a file says it holds, when its layout says (symbol columns), upper-cased. */
export type ReadSeriesReturnType = { series: KnownSeries; symbol: string | undefined };

function symbolOf(t: CsvTable, column: string): string | undefined {
  const j = t.header.indexOf(column);
  return j < 0 ? undefined : t.rows[0]![j]!.trim().toUpperCase();
}

function readOhlc(t: CsvTable, layout: Layout, timeCol: string, closeCol: string): KnownSeries {
  const jt = columnIndex(t, timeCol);
  const jc = columnIndex(t, closeCol);
  const open: number[] = [];
  const close: number[] = [];
  for (let r = 0; r < t.rows.length; r++) {
    open.push(timeCell(t, r, jt));
    const c = numberCell(t, r, jc);
    if (!(c > 0))
      throw new DataFileError({
        file: t.file,
        problem: `line ${t.lines[r]}: close ${c} is not a positive price`,
      });
    close.push(c);
  }
  const interval = medianSpacing(Float64Array.from(open).sort());
  return makeSeries({
    file: t.file,
    layout,
    knownAtMs: open.map((o) => o + interval),
    columns: { value: close },
  });
}

function readCoingecko(t: CsvTable): KnownSeries {
  const jt = columnIndex(t, "timestamp");
  const jp = columnIndex(t, "USD_price");
  const at: number[] = [];
  const v: number[] = [];
  for (let r = 0; r < t.rows.length; r++) {
    at.push(unixMsCell(t, r, jt));
    const p = numberCell(t, r, jp);
    if (!(p > 0))
      throw new DataFileError({
        file: t.file,
        problem: `line ${t.lines[r]}: USD_price ${p} is not a positive price`,
      });
    v.push(p);
  }
  return makeSeries({ file: t.file, layout: "coingecko", knownAtMs: at, columns: { value: v } });
}

function readFundingFetcher(t: CsvTable): KnownSeries {
  const jd = columnIndex(t, "Date");
  const jr = columnIndex(t, "Funding Rate");
  const ju = t.header.indexOf("date_utc_derived");
  // Settlement stamps carry a few ms of jitter (03:00:00.002): snap to the minute.
  const local = t.rows.map((_, r) => Math.round(timeCell(t, r, jd) / 60_000) * 60_000);
  const rate = t.rows.map((_, r) => numberCell(t, r, jr));
  const interval = medianSpacing(Float64Array.from(local).sort());
  // Which clock is `Date` on? 8-hourly settlements sit at 00/08/16 UTC; at 03/11/19 the file is
  // on the fetcher's UTC+3 locale (Binance, Bybit). Hourly (dYdX) files are UTC.
  let shift = 0;
  if (interval >= 4 * HOUR_MS) {
    const hours = new Map<number, number>();
    for (const ms of local) {
      const h = new Date(ms).getUTCHours() % 8;
      hours.set(h, (hours.get(h) ?? 0) + 1);
    }
    const [mode] = [...hours.entries()].sort((a, b) => b[1] - a[1])[0]!;
    shift = mode * HOUR_MS;
  }
  let utc = local.map((ms) => ms - shift);
  if (ju >= 0) {
    const derived = t.rows.map((_, r) => timeCell(t, r, ju));
    const bad = derived.findIndex((d, r) => d !== utc[r]);
    if (bad >= 0)
      throw new DataFileError({
        file: t.file,
        problem: `line ${t.lines[bad]}: date_utc_derived ${t.rows[bad]![ju]} disagrees with Date ${t.rows[bad]![jd]} on a ${shift / HOUR_MS} h clock shift`,
      });
    utc = derived;
  }
  const per8h = (8 * HOUR_MS) / interval;
  // A rate is known at its settlement (the end of its interval).
  return makeSeries({
    file: t.file,
    layout: "funding-fetcher",
    knownAtMs: utc,
    columns: { value: rate.map((x) => x * per8h) },
  });
}

function readBitmexFunding(t: CsvTable): KnownSeries {
  const jt = columnIndex(t, "timestamp");
  const ji = columnIndex(t, "fundingInterval");
  const jr = columnIndex(t, "fundingRate");
  const base = Date.UTC(2000, 0, 1);
  const at: number[] = [];
  const v: number[] = [];
  for (let r = 0; r < t.rows.length; r++) {
    at.push(timeCell(t, r, jt));
    const interval = timeCell(t, r, ji) - base;
    if (!(interval > 0))
      throw new DataFileError({
        file: t.file,
        problem: `line ${t.lines[r]}: fundingInterval is not a duration`,
      });
    v.push(numberCell(t, r, jr) * ((8 * HOUR_MS) / interval));
  }
  return makeSeries({ file: t.file, layout: "bitmex-funding", knownAtMs: at, columns: { value: v } });
}

function readAave(t: CsvTable): KnownSeries {
  const jh = columnIndex(t, "hour_utc");
  const cols = {
    supplied: columnIndex(t, "supplied_USD"),
    borrowed: columnIndex(t, "borrowed_USD"),
    liquidations: columnIndex(t, "liquidations"),
    tokenBalance: columnIndex(t, "token_balance"),
    borrowApr: columnIndex(t, "borrower_variable_apr"),
  };
  const jf = columnIndex(t, "ffill_row_derived");
  const at: number[] = [];
  const out: Record<keyof typeof cols | "ffill", number[]> = {
    supplied: [],
    borrowed: [],
    liquidations: [],
    tokenBalance: [],
    borrowApr: [],
    ffill: [],
  };
  for (let r = 0; r < t.rows.length; r++) {
    at.push(timeCell(t, r, jh));
    const flag = t.rows[r]![jf]!.trim();
    if (flag !== "True" && flag !== "False")
      throw new DataFileError({
        file: t.file,
        problem: `line ${t.lines[r]}: ffill_row_derived is "${flag}", not True/False`,
      });
    const ffill = flag === "True";
    out.ffill.push(ffill ? 1 : 0);
    out.supplied.push(numberCell(t, r, cols.supplied));
    out.borrowed.push(numberCell(t, r, cols.borrowed));
    out.tokenBalance.push(numberCell(t, r, cols.tokenBalance));
    // Rates are empty before a market's first borrow: a value the source does not have.
    out.borrowApr.push(numberCell(t, r, cols.borrowApr, { allowEmpty: true }));
    const liq = numberCell(t, r, cols.liquidations);
    if (liq < 0)
      throw new DataFileError({ file: t.file, problem: `line ${t.lines[r]}: negative liquidations ${liq}` });
    out.liquidations.push(ffill ? 0 : liq);
  }
  return makeSeries({ file: t.file, layout: "aave-messari", knownAtMs: at, columns: out });
}

export function readSeries(file: string): ReadSeriesReturnType & { layout: Layout } {
  const t = readCsv(file);
  const layout = detectLayout(t);
  switch (layout) {
    case "exchange-ohlc":
      return { layout, series: readOhlc(t, layout, "timestamp_utc", "close"), symbol: symbolOf(t, "symbol") };
    case "ohlc-dt":
      return { layout, series: readOhlc(t, layout, "dt", "c"), symbol: undefined };
    case "coingecko":
      return { layout, series: readCoingecko(t), symbol: symbolOf(t, "symbol") };
    case "funding-fetcher":
      return { layout, series: readFundingFetcher(t), symbol: symbolOf(t, "Symbol") };
    case "bitmex-funding":
      return { layout, series: readBitmexFunding(t), symbol: symbolOf(t, "symbol") };
    case "aave-messari":
      return { layout, series: readAave(t), symbol: undefined };
  }
}
