/**
 * Documented Chainlink behaviour (1% deviation, 24 h heartbeat, ETH-quoted) against the USDT/USDC
 * ratios Aave v2's oracle recorded on 19 May 2021: the feeds' lag cannot reach the recorded gap.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { deviationFeed, loopOracleGap, may2021HalfHours } from "./feed-divergence.ts";
import { oracleRatios } from "./liquidation-breakdown.ts";

const DATA = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../shared/data/market");
type Row = Record<string, string>;
const read = (path: string) => parse(readFileSync(path, "utf8"), { columns: true }) as Row[];

describe("ETH-quoted deviation feeds", () => {
  it("write on a move beyond the threshold or on the heartbeat, not otherwise", () => {
    const answers = deviationFeed([100, 100.5, 100.9, 101.2, 101.2, 101.2], 12, {
      deviation: 0.01,
      heartbeatHours: 48,
    });
    expect(answers).toEqual([100, 100, 100, 101.2, 101.2, 101.2]);
    expect(deviationFeed([1, 1.001, 1.002], 24, { deviation: 0.01, heartbeatHours: 24 })).toEqual([
      1, 1.001, 1.002,
    ]);
  });

  it("keep two stablecoins' oracle ratio within the threshold while ETH crashes, whatever the speed", () => {
    for (const step of [0.001, 0.02, 0.1]) {
      const eth = Array.from({ length: 200 }, (_, i) => 3000 * (1 - step) ** i);
      const gap = loopOracleGap(
        eth,
        eth.map(() => 1),
        eth.map(() => 1.002),
        0.5,
      );
      expect(gap.maxLag, `${step}`).toBeLessThanOrEqual(1.0101);
    }
  });

  it.skipIf(!existsSync(DATA))(
    "on 19 May 2021 add at most about 1% to the USD prints' ratio, far below the 9% gap the oracle recorded",
    () => {
      const slice = read(
        fileURLToPath(new URL("./slices/may-2021-deleveraging.csv", import.meta.url)),
      ).filter((r) => (r.time_utc ?? "").startsWith("2021-05-19"));
      const { eth, usdc, usdt } = may2021HalfHours(slice);
      const gap = loopOracleGap(eth, usdc, usdt, 0.5);
      const events = read(`${DATA}/aave_v2_liquidation_events_thegraph_2020-12_2022-04.until-2021-12.csv`);
      const recorded = Math.max(
        ...oracleRatios(events, "2021-05-19", "USDC")
          .filter((r) => r.debt === "USDT")
          .map((r) => r.ratio),
      );
      expect(gap.maxLag).toBeLessThan(1.011);
      expect(recorded).toBeGreaterThan(1.08);
      expect(gap.maxRatio).toBeLessThan(recorded);
    },
  );
});
