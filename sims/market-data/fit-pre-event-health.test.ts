/**
 * The per-collateral health-factor fits of Aave v2 before 19 May 2021: the fitter recovers known
 * parameters, the WBTC days are read correctly from the event file, the window stops before the
 * backtest's, and the may-2021 scenario carries exactly the shipped values.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { type FallDay, fitLognormalExcess, liquidatedShare, seizedShareOf } from "./fit-health-factors.ts";
import {
  AAVE_V2_COLLATERAL,
  type PreEventHealthFile,
  replayDayRanges,
  wbtcFallDays,
} from "./fit-pre-event-health.ts";

const DATA = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../shared/data/market");
const shipped: PreEventHealthFile = JSON.parse(
  readFileSync(new URL("./fitted/health-factors-pre-event.json", import.meta.url), "utf8"),
);

describe("pre-event health-factor fits", () => {
  it("recovers the parameters that generated the daily shares", () => {
    const days: FallDay[] = [];
    for (let k = 0; k < 40; k++) {
      const fall = 0.05 + 0.01 * k;
      days.push({ day: `d${k}`, fall, share: liquidatedShare(fall, 2, 0.8) });
    }
    const fit = fitLognormalExcess(days);
    expect(fit.medianExcess).toBeCloseTo(2, 1);
    expect(fit.sigma).toBeCloseTo(0.8, 1);
    expect(fit.days).toBe(40);
  });

  it("fits each reserve with its own seized share, from the parameters the may-2021 scenario gives it", () => {
    const aave = loadScenario("may-2021-deleveraging").protocols.find((p) => p.id === "aave-v2")!;
    if (aave.kind !== "lending") throw new Error("aave-v2 is lending");
    for (const [asset, reserve] of [
      ["ETH", "WETH"],
      ["WBTC", "WBTC"],
    ] as const) {
      expect(aave.reserves.find((r) => r.asset === asset)!.collateral).toMatchObject(
        AAVE_V2_COLLATERAL[reserve],
      );
      expect(shipped.reserves[reserve].seizedShare).toBeCloseTo(
        seizedShareOf(AAVE_V2_COLLATERAL[reserve]),
        6,
      );
    }
    // 50% close factor x 75% threshold x 1.10 bonus: WBTC's liquidation takes less than WETH's.
    expect(seizedShareOf(AAVE_V2_COLLATERAL.WBTC)).toBeCloseTo(0.4125, 6);
    expect(seizedShareOf(AAVE_V2_COLLATERAL.WETH)).toBeCloseTo(0.433125, 6);
    // A smaller seized share needs more of the book near liquidation to explain the same days.
    const days: FallDay[] = [];
    for (let k = 0; k < 30; k++) {
      const fall = 0.05 + 0.01 * k;
      days.push({ day: `d${k}`, fall, share: liquidatedShare(fall, 3, 1) });
    }
    const at = (fit: { medianExcess: number; sigma: number }, s: number) =>
      liquidatedShare(0.3, fit.medianExcess, fit.sigma, s) / s;
    expect(at(fitLognormalExcess(days, 0.4125), 0.4125)).toBeGreaterThan(at(fitLognormalExcess(days), 0.45));
  });

  it("measures a day's fall as the replay prices it: Binance's open to the day's lowest of the venues' higher hourly lows", () => {
    const H = 3600;
    const day = Date.parse("2021-05-10T00:00:00Z") / 1000;
    const candles = (open: number[], low: number[]) => ({
      time: Float64Array.from(open.map((_, i) => day + i * H)),
      open: Float64Array.from(open),
      high: Float64Array.from(open),
      low: Float64Array.from(low),
      close: Float64Array.from(open),
    });
    // Hour 1: Binance wicks to 80, Bitfinex to 90: both traded at 90. Hour 2: Bitfinex to 85,
    // Binance to 88: 88. The day's low is 88, from Binance's open of 100.
    const r = replayDayRanges(candles([100, 99, 98], [99, 80, 88]), candles([101, 99, 98], [100, 90, 85]));
    expect(r.open.get("2021-05-10")).toBe(100);
    expect(r.low.get("2021-05-10")).toBe(88);
  });

  it.skipIf(!existsSync(DATA))(
    "gives 19 May's BTC fall the replay's: $42,850 to $30,000 (Binance's low, above Bitfinex's $29,563)",
    () => {
      expect(shipped.reserves.WBTC.eventDay.fall).toBeCloseTo(1 - 30_000 / 42_849.78, 3);
    },
  );

  it("stops before the backtest's window, and the may-2021 Aave reserves use exactly the fits", () => {
    expect(shipped.window.to < "2021-05-17").toBe(true);
    const aave = loadScenario("may-2021-deleveraging").protocols.find((p) => p.id === "aave-v2")!;
    if (aave.kind !== "lending") throw new Error("aave-v2 is lending");
    for (const [asset, fit] of [
      ["ETH", shipped.reserves.WETH],
      ["WBTC", shipped.reserves.WBTC],
    ] as const)
      expect(aave.reserves.find((r) => r.asset === asset)!.initialHealthFactor, asset).toMatchObject({
        distribution: "lognormal-excess",
        medianExcess: fit.medianExcess,
        sigma: fit.sigma,
      });
  });

  it("every health-factor distribution in may-2021 (protocol and reserve level) is a fit whose window ends before the event", () => {
    const scenario = loadScenario("may-2021-deleveraging");
    expect(shipped.window.to < scenario.episode!.start).toBe(true);
    const fits = Object.values(shipped.reserves).map((f) => [f.medianExcess, f.sigma].join("/"));
    let checked = 0;
    for (const p of scenario.protocols) {
      if (p.kind !== "lending") continue;
      for (const hf of [p.initialHealthFactor, ...p.reserves.map((r) => r.initialHealthFactor)]) {
        if (hf === undefined) continue;
        if (!("distribution" in hf)) throw new Error(`${p.id}: a normal, not a fitted distribution`);
        expect(fits, `${p.id}`).toContain([hf.medianExcess, hf.sigma].join("/"));
        expect(hf.source, p.id).toMatch(/2021-01-01\.\.2021-05-16/);
        checked++;
      }
    }
    expect(checked).toBe(5);
  });

  it("march-2020's Maker book cannot be fitted before its event, and says so (a known look-ahead)", () => {
    const maker = loadScenario("march-2020-black-thursday").protocols.find((p) => p.id === "maker")!;
    const hf = maker.kind === "lending" ? maker.initialHealthFactor : undefined;
    if (!hf || !("distribution" in hf)) throw new Error("maker lends, with a fitted distribution");
    expect(hf.source).toMatch(/known look-ahead/);
  });

  it.skipIf(!existsSync(DATA))(
    "reads 19 May 2021's WBTC collateral seized ($43.6M, 3.3% of the WBTC supplied) from the event file",
    () => {
      const [day] = wbtcFallDays(DATA, "2021-05-19", "2021-05-19");
      expect(day!.share).toBeCloseTo(0.0328, 3);
      expect(day!.fall).toBeCloseTo(0.311, 3);
      expect(shipped.reserves.WBTC.eventDay.observedShare).toBeCloseTo(day!.share, 5);
    },
  );
});
