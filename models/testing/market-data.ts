/**
 * Tests that read the real market data find it at $MARKET_DATA or ../shared/data/market (CI has
 * it). Without it they are skipped with a message outside CI and fail in CI.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DATA_DIR } from "../market/paths.ts";

export const MARKET_DATA_DIR = DEFAULT_DATA_DIR;
export const haveMarketData = existsSync(
  join(MARKET_DATA_DIR, "price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv"),
);

if (!haveMarketData) {
  const msg = `market data not found at ${MARKET_DATA_DIR}: set MARKET_DATA or put ../shared/data/market beside the clone.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`skipping market-data tests: ${msg}`);
}

export const dataFile = (name: string) => join(MARKET_DATA_DIR, name);
