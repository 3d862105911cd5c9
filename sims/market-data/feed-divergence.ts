/**
 * Can documented oracle behaviour liquidate Aave v2's USDC-collateral / USDT-debt loops on 19 May
 * 2021? (issue 11 item 5, the USDC-collateral backtest row.)
 *
 * Aave v2 priced every reserve in ETH through Chainlink's ETH-quoted feeds, so a USDC/USDT loop's
 * health factor moves with USDT/ETH answer over USDC/ETH answer. Documented behaviour (assumption,
 * from data.chain.link's feed pages as cited in Gravita-Protocol/Gravita-SmartContracts#268 for
 * USDC/ETH; USDT/ETH is listed with the same parameters): each feed writes a new answer when the
 * market moves more than 1% from it, or 24 h after its last write. This replays both feeds on the
 * may-2021 slice (hourly closes, and the candle's low between two closes, as the scenario's replay
 * does) and reports the largest oracle ratio USDT/USDC they produce, beside the ratios the oracle
 * really recorded in the day's LiquidationCall events (liquidation-breakdown.ts).
 * Run: npx tsx sims/market-data/feed-divergence.ts [--data DIR]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "csv-parse/sync";
import { oracleRatios } from "./liquidation-breakdown.ts";

export const DOCUMENTED_FEED = { deviation: 0.01, heartbeatHours: 24 } as const;

/** A push feed's on-chain answers at each point of `truth` (points `stepHours` apart): a write when
 *  the value moves more than `deviation` from the answer, or when the heartbeat has passed. */
export function deviationFeed(
  truth: readonly number[],
  stepHours: number,
  feed: { deviation: number; heartbeatHours: number } = DOCUMENTED_FEED,
): number[] {
  const out: number[] = [];
  let answer = Number.NaN;
  let written = Number.NEGATIVE_INFINITY;
  truth.forEach((v, i) => {
    const hour = i * stepHours;
    if (!(Math.abs(v / answer - 1) <= feed.deviation) || hour - written >= feed.heartbeatHours - 1e-9) {
      answer = v;
      written = hour;
    }
    out.push(answer);
  });
  return out;
}

/** maxRatio: the largest USDT/USDC the oracle shows; maxLag: the largest part of it the feeds'
 *  lag adds to the USD prices' own ratio (what a deviation threshold can explain). */
export type LoopGap = { maxRatio: number; atStep: number; maxLag: number };

/** The largest USDT/USDC ratio the two ETH-quoted feeds show (the oracle's view of a loop's
 *  debt over its collateral), given USD paths of ETH, USDC and USDT on one grid. */
export function loopOracleGap(
  ethUsd: readonly number[],
  usdcUsd: readonly number[],
  usdtUsd: readonly number[],
  stepHours: number,
  feed = DOCUMENTED_FEED,
): LoopGap {
  const usdc = deviationFeed(
    usdcUsd.map((p, i) => p / ethUsd[i]!),
    stepHours,
    feed,
  );
  const usdt = deviationFeed(
    usdtUsd.map((p, i) => p / ethUsd[i]!),
    stepHours,
    feed,
  );
  const best = { maxRatio: 0, atStep: -1, maxLag: 0 };
  usdt.forEach((a, i) => {
    const r = a / usdc[i]!;
    if (r > best.maxRatio) Object.assign(best, { maxRatio: r, atStep: i });
    best.maxLag = Math.max(best.maxLag, r / (usdtUsd[i]! / usdcUsd[i]!));
  });
  return best;
}

type Row = Record<string, string>;
const read = (path: string): Row[] =>
  parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Row[];

/** The may-2021 slice on a half-hour grid: each close, then the next candle's low where it is
 *  lower than the two closes' log-linear midpoint (as market.intrahourLows replays it); the
 *  stablecoins keep the hour's print. */
export function may2021HalfHours(slice: readonly Row[]): { eth: number[]; usdc: number[]; usdt: number[] } {
  const eth: number[] = [];
  const usdc: number[] = [];
  const usdt: number[] = [];
  slice.forEach((r, i) => {
    eth.push(Number(r.ETH));
    usdc.push(Number(r.USDC));
    usdt.push(Number(r.USDT));
    const next = slice[i + 1];
    if (!next) return;
    const mid = Math.sqrt(Number(r.ETH) * Number(next.ETH));
    const low = Number(next["ETH low"]);
    eth.push(Number.isFinite(low) && low > 0 ? Math.min(mid, low) : mid);
    usdc.push(Number(r.USDC));
    usdt.push(Number(r.USDT));
  });
  return { eth, usdc, usdt };
}

function main(argv: string[]): void {
  const i = argv.indexOf("--data");
  const dir = (i >= 0 ? argv[i + 1] : undefined) ?? "../shared/data/market";
  const slice = read(new URL("./slices/may-2021-deleveraging.csv", import.meta.url).pathname).filter((r) =>
    (r.time_utc ?? "").startsWith("2021-05-19"),
  );
  const { eth, usdc, usdt } = may2021HalfHours(slice);
  const gap = loopOracleGap(eth, usdc, usdt, 0.5);
  console.log(
    `documented feeds (${DOCUMENTED_FEED.deviation * 100}% deviation, ${DOCUMENTED_FEED.heartbeatHours} h heartbeat), 19 May 2021 on a half-hour grid: largest USDT/USDC oracle ratio ${gap.maxRatio.toFixed(4)} at ${(gap.atStep * 0.5).toFixed(1)} h (the USD prints' own ratio there: CoinGecko's USDT at $${usdt[gap.atStep]!.toFixed(4)}); the feeds' lag adds at most ${((gap.maxLag - 1) * 100).toFixed(2)}%`,
  );
  const events = read(join(dir, "aave_v2_liquidation_events_thegraph_2020-12_2022-04.until-2021-12.csv"));
  console.log("recorded by Aave's oracle in the day's USDC-collateral / USDT-debt liquidations:");
  for (const r of oracleRatios(events, "2021-05-19", "USDC").filter((x) => x.debt === "USDT"))
    console.log(`  ${r.time}  ratio ${r.ratio.toFixed(4)}`);
  const before = events.filter(
    (e) =>
      e.collateralReserve === "USDC" &&
      e.principalReserve === "USDT" &&
      (e.timestamp_utc ?? "") < "2021-05-17",
  );
  console.log(
    `USDC-collateral / USDT-debt liquidations before 17 May 2021 in the event file: ${before.length}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
