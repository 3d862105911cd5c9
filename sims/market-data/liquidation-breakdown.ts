/**
 * Breakdown of one UTC day's Aave v2 LiquidationCall events (the subgraph event file in
 * ../shared/data/market/) by collateral reserve, and the oracle's debt/collateral price ratio per
 * event, and the lowest ETH and BTC prices the oracle recorded. Evidence for the backtest
 * (docs/SIMULATION.md, "Backtest against history"): which collateral the press total is made of,
 * why stablecoin collateral was seized, and that the oracle saw the intra-hour lows.
 * Run: npx tsx sims/market-data/liquidation-breakdown.ts [--data DIR] [--day 2021-05-19]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "csv-parse/sync";

type Row = Record<string, string>;

export type SeizedByReserve = {
  reserve: string;
  usd: number;
  events: number;
  /** Events whose collateral has no USD price (e.g. AMM-pool tokens): counted, not valued. */
  unvalued: number;
};

export type OracleRatio = { time: string; collateral: string; debt: string; ratio: number };

/**
 * Collateral seized (USD) per collateral reserve for events whose timestamp_utc starts with `day`.
 * The file's USD price of the collateral is used; WETH rows carry none, so `ethUsdAtHour` (the
 * hour "HH" -> ETH/USD) values them.
 */
export function seizedByReserve(
  events: readonly Row[],
  decimals: ReadonlyMap<string, number>,
  day: string,
  ethUsdAtHour: (hour: string) => number | undefined,
): SeizedByReserve[] {
  const out = new Map<string, SeizedByReserve>();
  for (const e of events) {
    const t = e.timestamp_utc ?? "";
    if (!t.startsWith(day)) continue;
    const reserve = e.collateralReserve ?? "";
    const acc = out.get(reserve) ?? { reserve, usd: 0, events: 0, unvalued: 0 };
    acc.events += 1;
    const dec = decimals.get(`${reserve}|${e.pool}`) ?? 18;
    const amount = Number(e.collateralAmount) / 10 ** dec;
    const price =
      e.reservePriceUSDCollateral !== undefined && e.reservePriceUSDCollateral !== ""
        ? Number(e.reservePriceUSDCollateral)
        : reserve === "WETH"
          ? ethUsdAtHour(t.slice(11, 13))
          : undefined;
    if (price === undefined || !Number.isFinite(price) || !Number.isFinite(amount)) acc.unvalued += 1;
    else acc.usd += amount * price;
    out.set(reserve, acc);
  }
  return [...out.values()].sort((a, b) => b.usd - a.usd);
}

/** Per event of the day with this collateral: the oracle's debt price over its collateral price (both in ETH). */
export function oracleRatios(events: readonly Row[], day: string, collateral: string): OracleRatio[] {
  const out: OracleRatio[] = [];
  for (const e of events) {
    const t = e.timestamp_utc ?? "";
    if (!t.startsWith(day) || e.collateralReserve !== collateral) continue;
    const debt = Number(e.reservePriceETHPrincipal);
    const coll = Number(e.reservePriceETHCollateral);
    if (!e.reservePriceETHPrincipal || !e.reservePriceETHCollateral || !(coll > 0)) continue;
    out.push({ time: t, collateral, debt: e.principalReserve ?? "", ratio: debt / coll });
  }
  return out;
}

export type OracleLow = { usd: number; time: string };

/**
 * The lowest ETH/USD and BTC/USD the Aave v2 oracle recorded in the day's events (evidence that it
 * traded through the intra-hour wick): ETH = 1e18 / the ETH-wei price of a USD stablecoin debt
 * (the stablecoin taken at $1), BTC = WBTC's ETH price x that ETH price in the same event.
 */
export function oracleLows(events: readonly Row[], day: string): { eth?: OracleLow; btc?: OracleLow } {
  const out: { eth?: OracleLow; btc?: OracleLow } = {};
  for (const e of events) {
    const t = e.timestamp_utc ?? "";
    if (!t.startsWith(day) || !["USDC", "USDT", "DAI"].includes(e.principalReserve ?? "")) continue;
    const stable = Number(e.reservePriceETHPrincipal);
    if (!e.reservePriceETHPrincipal || !(stable > 0)) continue;
    const eth = 1e18 / stable;
    if (!out.eth || eth < out.eth.usd) out.eth = { usd: eth, time: t };
    const wbtc = Number(e.reservePriceETHCollateral);
    if (e.collateralReserve === "WBTC" && e.reservePriceETHCollateral && wbtc > 0) {
      const btc = (wbtc / 1e18) * eth;
      if (!out.btc || btc < out.btc.usd) out.btc = { usd: btc, time: t };
    }
  }
  return out;
}

const read = (path: string): Row[] =>
  parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Row[];

function main(argv: string[]): void {
  const arg = (name: string, fallback: string): string => {
    const i = argv.indexOf(name);
    return (i >= 0 ? argv[i + 1] : undefined) ?? fallback;
  };
  const dir = arg("--data", "../shared/data/market");
  const day = arg("--day", "2021-05-19");
  const events = read(join(dir, "aave_v2_liquidation_events_thegraph_2020-12_2022-04.until-2021-12.csv"));
  const decimals = new Map(
    read(join(dir, "aave_v2_liquidation_events_tokens-lookup.csv")).map((r) => [
      `${r.symbol}|${r.pool}`,
      Number(r.decimals),
    ]),
  );
  const eth = new Map(
    read(join(dir, "price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv"))
      .filter((r) => (r.timestamp_utc ?? "").startsWith(day))
      .map((r) => [(r.timestamp_utc ?? "").slice(11, 13), Number(r.close)]),
  );
  const rows = seizedByReserve(events, decimals, day, (h) => eth.get(h));
  const total = rows.reduce((s, r) => s + r.usd, 0);
  console.log(`Aave v2 collateral seized on ${day} (UTC), by collateral reserve:`);
  for (const r of rows)
    console.log(
      `${r.reserve.padEnd(16)} $${(r.usd / 1e6).toFixed(2)}M  ${r.events} events${r.unvalued ? ` (${r.unvalued} not valued)` : ""}`,
    );
  console.log(`total            $${(total / 1e6).toFixed(1)}M`);
  const lows = oracleLows(events, day);
  for (const [name, low] of Object.entries(lows))
    console.log(
      `oracle's lowest ${name.toUpperCase()}/USD in the events: $${low.usd.toFixed(0)} at ${low.time}`,
    );
  console.log("USDC collateral: oracle debt/collateral price ratio per event");
  for (const r of oracleRatios(events, day, "USDC"))
    console.log(`${r.time}  debt ${r.debt.padEnd(5)} ratio ${r.ratio.toFixed(4)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
