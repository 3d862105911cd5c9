/**
 * What liquidated Aave v2's USDC collateral on 19 May 2021 (backtest row "Aave v2 USDC-collateral
 * market"): each LiquidationCall with USDC collateral that UTC day, by debt asset, with the ratio
 * of the debt's to the collateral's Aave oracle price (both in ETH wei). Analysis only: it reads
 * the raw events file in ../shared (build-time data, not shipped).
 * Run: npx tsx sims/backtest/usdc-collateral-may-2021.ts [dataDir]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

const dataDir = process.argv[2] ?? "../shared/data/market";
const file = "aave_v2_liquidation_events_thegraph_2020-12_2022-04.until-2021-12.csv";
const rows = parse(readFileSync(join(dataDir, file), "utf8"), { columns: true }) as Record<string, string>[];

// USDC has 6 decimals; amounts are raw base units before 2021-07-27 (data README, section 6).
const events = rows.filter(
  (r) => r.timestamp_utc?.startsWith("2021-05-19") && r.collateralReserve === "USDC",
);
const byDebt = new Map<string, number>();
let total = 0;
for (const r of events) {
  const usdc = Number(r.collateralAmount) / 1e6;
  const ratio = Number(r.reservePriceETHPrincipal) / Number(r.reservePriceETHCollateral);
  total += usdc;
  byDebt.set(r.principalReserve ?? "?", (byDebt.get(r.principalReserve ?? "?") ?? 0) + usdc);
  console.log(
    `${r.timestamp_utc?.slice(0, 19)}  debt ${r.principalReserve?.padEnd(5)} seized $${usdc.toFixed(0).padStart(8)}` +
      `  oracle debt/collateral ${ratio.toFixed(4)}  user ${r.user?.slice(0, 10)}`,
  );
}
console.log(`total USDC collateral seized: $${(total / 1e6).toFixed(3)}M`);
for (const [debt, usd] of byDebt)
  console.log(`  debt ${debt}: $${(usd / 1e6).toFixed(3)}M (${((100 * usd) / total).toFixed(1)}%)`);
