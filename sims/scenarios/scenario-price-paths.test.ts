import { describe, expect, it } from "vitest";
import { loadWindowSlice } from "../market-data/load-market-data.ts";
import { correlation, logReturns, troughFromStart } from "../paths/sample-stats.ts";
import { listScenarios, loadScenario } from "./load-scenario.ts";
import { scenarioPricePaths } from "./scenario-price-paths.ts";

const pathsOf = (name: string, seed?: number) => scenarioPricePaths({ scenario: loadScenario(name), seed });
const minOf = (xs: Float64Array) => xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);

// The named episodes used to interpolate scripted keyframes (ETH -43% for March 2020, USDC $0.87
// for March 2023...). They now replay the real hourly windows shipped in sims/market-data/slices
// (issue 11 item 2), so the troughs below are the real series' lowest closes on each scenario's
// grid, as sims/market-data/slices/reported-outcomes.json records them.
describe("scenarioPricePaths: named episodes replay their real windows", () => {
  it("March 2020: ETH's Binance closes bottom at $96.62 at 03-13 02:00 (hour 26); DAI's daily premium", () => {
    const { prices, hours, steps } = pathsOf("march-2020-black-thursday");
    const eth = prices.get("ETH")!;
    expect(steps).toBe(72);
    expect(hours[24]).toBe(24);
    expect(eth[0]).toBe(194.61);
    expect(minOf(eth)).toBeCloseTo(96.62, 8);
    expect(eth.indexOf(minOf(eth))).toBe(26);
    expect(troughFromStart(eth)).toBeCloseTo(-0.5035, 3);
    expect(Math.max(...prices.get("DAI")!)).toBeCloseTo(1.0585119, 6); // CoinGecko daily, 13 March
  });

  it("May 2021: ETH -34% at its lowest close, WBTC (Binance BTC) -18%, on the half-hour grid; the hour's low between closes", () => {
    const { prices, steps } = pathsOf("may-2021-deleveraging");
    expect(steps).toBe(96);
    const eth = prices.get("ETH")!;
    const closes = (xs: Float64Array) => xs.filter((_, k) => k % 2 === 0);
    expect(minOf(closes(eth))).toBeCloseTo(2230.9, 8);
    expect(troughFromStart(closes(eth))).toBeCloseTo(-0.339, 3);
    expect(minOf(closes(prices.get("WBTC")!))).toBeCloseTo(35234.62, 8);
    // Half-hours: log-linear between the closes around them, or the hour's candle low (the higher
    // of Binance's and Bitfinex's) where that is lower. 19 May 12:00-13:00: Bitfinex's low $2,033.7
    // (Binance's $1,960), the lowest ETH price Aave's oracle reported that day ($2,034).
    const slice = loadWindowSlice("may-2021-deleveraging");
    const lows = slice.series.get("ETH low")!.values;
    for (let h = 1; h <= 48; h++)
      expect(eth[2 * h - 1]).toBeCloseTo(Math.min(Math.sqrt(eth[2 * h - 2]! * eth[2 * h]!), lows[h]!), 8);
    expect(eth[25]).toBeCloseTo(2033.7, 8);
    expect(minOf(eth)).toBeCloseTo(2033.7, 8);
    expect(minOf(prices.get("WBTC")!)).toBeCloseTo(30000, 8);
  });

  it("May 2022: UST (bridged) to $0.092 on 13 May; LUNA, which has no series, stays scripted to about zero", () => {
    const { prices } = pathsOf("may-2022-terra");
    expect(minOf(prices.get("UST")!)).toBeCloseTo(0.09243069, 7);
    expect(minOf(prices.get("LUNA")!)).toBeLessThan(0.001);
  });

  it("June 2022: stETH is ETH times the real ratio, 0.971 at the start and 0.925 at its low", () => {
    const { prices, steps } = pathsOf("june-2022-steth-discount");
    expect(steps).toBe(216);
    const eth = prices.get("ETH")!;
    const steth = prices.get("stETH")!;
    const ratio = steth.map((p, k) => p / eth[k]!);
    expect(ratio[0]).toBeCloseTo(0.9714205, 6);
    expect(minOf(ratio)).toBeCloseTo(0.9250592, 6);
    expect(minOf(eth)).toBeCloseTo(904.6, 8);
  });

  it("November 2022: FTT and SOL (no series) keep their scripted troughs; ETH replays Bitfinex", () => {
    const { prices } = pathsOf("november-2022-ftx");
    expect(troughFromStart(prices.get("FTT")!)).toBeLessThan(-0.9);
    const sol = troughFromStart(prices.get("SOL")!);
    expect(sol).toBeLessThan(-0.5);
    expect(sol).toBeGreaterThan(-0.65);
    expect(minOf(prices.get("ETH")!)).toBeCloseTo(1102.6, 8);
  });

  it("March 2023: USDC's 15-minute closes below $0.91 on the half-hour grid, back near $1 by the end; DAI follows", () => {
    const { prices } = pathsOf("march-2023-usdc-depeg");
    const usdc = prices.get("USDC")!;
    // The series' lowest close ($0.9008) is at 10:15, between two half-hour grid points.
    expect(minOf(usdc)).toBeGreaterThan(0.9007);
    expect(minOf(usdc)).toBeLessThan(0.91);
    expect(usdc[usdc.length - 1]).toBeGreaterThan(0.99);
    expect([...prices.get("DAI")!]).toEqual([...usdc]);
  });

  it("every market asset of every named scenario equals its slice at every full hour", () => {
    for (const name of listScenarios()) {
      const scenario = loadScenario(name);
      if (!scenario.market) continue;
      const slice = loadWindowSlice(scenario.market.window);
      const { prices, hours } = scenarioPricePaths({ scenario });
      for (const asset of scenario.assets) {
        if (asset.path.model !== "market") continue;
        const real = slice.series.get(asset.path.series)!;
        const base = asset.path.base === undefined ? undefined : prices.get(asset.path.base)!;
        // The scenario's starting price is the slice's first value.
        const first = base ? asset.priceUsd / base[0]! : asset.priceUsd;
        expect(Math.abs(first / real.values[0]! - 1), `${name} ${asset.symbol} priceUsd`).toBeLessThan(1e-9);
        hours.forEach((h, k) => {
          if (h % 1 !== 0) return;
          const row = slice.hours.indexOf(h);
          const value = base ? prices.get(asset.symbol)![k]! / base[k]! : prices.get(asset.symbol)![k]!;
          expect(Math.abs(value / real.values[row]! - 1), `${name} ${asset.symbol} hour ${h}`).toBeLessThan(
            1e-9,
          );
        });
      }
    }
  });
});

describe("scenarioPricePaths: stochastic scenarios", () => {
  it("is reproducible per seed and varies across seeds", () => {
    const a = pathsOf("synthetic-shock");
    const b = pathsOf("synthetic-shock");
    const c = pathsOf("synthetic-shock", 7);
    for (const sym of ["ETH", "BTC", "ALT", "sETH"]) {
      expect(a.prices.get(sym)).toEqual(b.prices.get(sym));
      expect(a.prices.get(sym)).not.toEqual(c.prices.get(sym));
    }
    expect(a.prices.get("USDC")!.every((p) => p === 1)).toBe(true);
  });

  it("applies the scheduled shocks on top of the paths, and ratio assets follow their base", () => {
    const { prices } = pathsOf("synthetic-shock");
    const eth = prices.get("ETH")!;
    const seth = prices.get("sETH")!;
    // Hour 24 carries a -30% shock; one hourly diffusion step is about 1% at 80% vol.
    expect(eth[24]! / eth[23]!).toBeGreaterThan(0.6);
    expect(eth[24]! / eth[23]!).toBeLessThan(0.76);
    expect(seth[36]! / eth[36]!).toBeCloseTo(0.96, 10);
    expect(seth[24]! / seth[23]!).toBeLessThan(0.76); // inherits ETH's shock
  });

  it("correlates ETH and BTC as the scenario says", () => {
    // One week of hourly steps is a short sample; average the correlation over seeds.
    let sum = 0;
    const seeds = 40;
    for (let seed = 0; seed < seeds; seed++) {
      const { prices } = pathsOf("synthetic-shock", seed);
      // Drop the shock step, which is common to both by construction.
      const eth = logReturns(prices.get("ETH")!).filter((_, k) => k !== 23);
      const btc = logReturns(prices.get("BTC")!).filter((_, k) => k !== 23);
      sum += correlation(eth, btc);
    }
    // Independent jumps dilute the diffusion correlation of 0.8 a little.
    expect(sum / seeds).toBeGreaterThan(0.7);
    expect(sum / seeds).toBeLessThan(0.82);
  });
});
