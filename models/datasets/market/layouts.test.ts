import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataFileError, DataValueError } from "../../errors.ts";
import { dataFile, haveMarketData } from "../../testing/market-data.ts";
import { readSeries } from "./layouts.ts";
import { readRole } from "./roles.ts";
import { HOUR_MS } from "./series.ts";

const dir = mkdtempSync(join(tmpdir(), "layouts-"));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const utc = (s: string) => Date.parse(`${s}Z`);

describe("funding files: clocks and units", () => {
  it("reads the fetcher's UTC+3 `Date` as UTC settlements (no derived column), per 8 h", () => {
    const f = write(
      "binance-like.csv",
      "Symbol,Date,Funding Rate\nETH-USDT,2020-01-01 03:00:00.000,0.0001\nETH-USDT,2020-01-01 11:00:00.002,0.0002\nETH-USDT,2020-01-01 19:00:00.000,-0.0003\n",
    );
    const { series } = readSeries(f);
    expect(Array.from(series.knownAtMs)).toEqual([
      utc("2020-01-01T00:00:00"),
      utc("2020-01-01T08:00:00"),
      utc("2020-01-01T16:00:00"),
    ]);
    expect(Array.from(series.columns.value!)).toEqual([0.0001, 0.0002, -0.0003]);
  });
  it("checks date_utc_derived against the inferred shift", () => {
    const f = write(
      "bad-derived.csv",
      "Symbol,Date,Funding Rate,date_utc_derived\nETH-USDT,2021-01-01 03:00:00,0.0001,2021-01-01 03:00:00\nETH-USDT,2021-01-01 11:00:00,0.0001,2021-01-01 11:00:00\n",
    );
    expect(() => readSeries(f)).toThrow(/date_utc_derived .* disagrees/);
  });
  it("hourly dYdX rates stay on UTC and become per-8h (x 8)", () => {
    const f = write(
      "dydx-like.csv",
      "Symbol,Date,Funding Rate,date_utc_derived\nETH-USDT,2022-01-01 00:00:00,0.00001,2022-01-01 00:00:00\nETH-USDT,2022-01-01 01:00:00,0.00002,2022-01-01 01:00:00\nETH-USDT,2022-01-01 02:00:00,0.00003,2022-01-01 02:00:00\n",
    );
    const { series } = readSeries(f);
    expect(series.knownAtMs[0]).toBe(utc("2022-01-01T00:00:00"));
    expect(series.columns.value![1]).toBeCloseTo(0.00016, 12);
  });
  it("BitMEX rates are scaled by their own interval (24 h in 2016 -> a third per 8 h)", () => {
    const f = write(
      "bitmex.csv",
      "timestamp,symbol,fundingInterval,fundingRate,fundingRateDaily\n2016-05-14T12:00:00Z,XBTUSD,2000-01-02T00:00:00Z,0.0006,0.0006\n2020-11-05T04:00:00Z,XBTUSD,2000-01-01T08:00:00Z,0.0001,0.0003\n",
    );
    const { series } = readSeries(f);
    expect(series.columns.value![0]).toBeCloseTo(0.0002, 12);
    expect(series.columns.value![1]).toBeCloseTo(0.0001, 12);
  });
  it.skipIf(!haveMarketData)("the real Binance ETH file settles at 00/08/16 UTC", () => {
    const { series } = readSeries(dataFile("funding_ETHUSDT-perp_8h_binance_2020-2023.csv"));
    for (const t of series.knownAtMs.slice(0, 50)) expect(new Date(t).getUTCHours() % 8).toBe(0);
    expect(series.knownAtMs[0]).toBe(utc("2020-01-01T00:00:00"));
  });
});

describe("prices and Aave files", () => {
  it("a candle's close is known when the candle ends", () => {
    const f = write(
      "perp.csv",
      "timestamp_utc,open,high,low,close,volume\n2023-01-01 00:00:00+00:00,1,1,1,100,1\n2023-01-01 01:00:00+00:00,1,1,1,101,1\n",
    );
    const { series } = readSeries(f);
    expect(series.knownAtMs[0]).toBe(utc("2023-01-01T01:00:00"));
  });
  it("forward-filled Aave rows carry no liquidations (they would double count)", () => {
    const head =
      "hour_utc,timestamp,block,supplied_USD,borrowed_USD,liquidations,token_balance,lender_variable_apr,borrower_variable_apr,borrower_stable_apr,ffill_row_derived\n";
    const f = write(
      "aave.csv",
      `${head}2021-05-19 12:00:00,1,1,2000000,100,5000000,1e21,0.1,1,3,False\n2021-05-19 13:00:00,1,1,2000000,100,5000000,1e21,0.1,1,3,True\n`,
    );
    const { series } = readSeries(f);
    expect(Array.from(series.columns.liquidations!)).toEqual([5000000, 0]);
    expect(series.knownAtMs[1]! - series.knownAtMs[0]!).toBe(HOUR_MS);
  });
});

describe("bad files name the file, line and column", () => {
  it("a missing file", () => {
    const e = (() => {
      try {
        readSeries(join(dir, "nope.csv"));
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(DataFileError);
    expect((e as Error).message).toContain("nope.csv");
  });
  it("a malformed number", () => {
    const f = write(
      "badnum.csv",
      "symbol,timestamp,USD_price\nUSDC,1609461095306,1.0\nUSDC,1609462993706,abc\n",
    );
    expect(() => readSeries(f)).toThrow(DataValueError);
    expect(() => readSeries(f)).toThrow(/line 3, column "USD_price": "abc" is not a finite number/);
  });
  it("a ragged line, an unknown layout, a non-positive price", () => {
    expect(() => readSeries(write("ragged.csv", "symbol,timestamp,USD_price\nUSDC,1\n"))).toThrow(
      /line 2 has 2 cells/,
    );
    expect(() => readSeries(write("odd.csv", "a,b\n1,2\n"))).toThrow(/no known layout/);
    expect(() => readSeries(write("neg.csv", "symbol,timestamp,USD_price\nUSDC,1609461095306,-1\n"))).toThrow(
      /not a positive price/,
    );
  });
  it.skipIf(!haveMarketData)("a file given for the wrong role", () => {
    expect(() => readRole("ethPrice", dataFile("price_BTCUSD_1h_bitfinex_2019-01_2023-01.csv"))).toThrow(
      /holds BTC\/USD, but role "ethPrice"/,
    );
    expect(() =>
      readRole(
        "aaveWeth",
        dataFile("aave_v2_USDC_market_1h_messari-subgraph_2020-12_2023-06.until-2021-12.csv"),
      ),
    ).toThrow(/oracle price .* is it the market of role "aaveWeth"/);
    expect(() => readRole("ethFunding", dataFile("price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv"))).toThrow(
      /does not take/,
    );
  });
});
