import { describe, expect, it } from "vitest";
import { correlation, logReturns, troughFromStart } from "../paths/sample-stats.ts";
import { loadScenario } from "./load-scenario.ts";
import { scenarioPricePaths } from "./scenario-price-paths.ts";

const pathsOf = (name: string, seed?: number) => scenarioPricePaths({ scenario: loadScenario(name), seed });
const minOf = (xs: Float64Array) => xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);

describe("scenarioPricePaths: named episodes hit their documented troughs", () => {
  it("March 2020: ETH about -43% from the start, within the first day", () => {
    const { prices, hours, steps } = pathsOf("march-2020-black-thursday");
    const eth = prices.get("ETH")!;
    expect(steps).toBe(72);
    expect(hours[24]).toBe(24);
    expect(troughFromStart(eth)).toBeCloseTo(-0.43, 3);
    expect(eth[24]! / eth[0]! - 1).toBeCloseTo(-0.43, 10);
    expect(Math.max(...prices.get("DAI")!)).toBeCloseTo(1.1, 10); // DAI premium
  });

  it("May 2021: ETH about -44% intraday", () => {
    expect(troughFromStart(pathsOf("may-2021-deleveraging").prices.get("ETH")!)).toBeCloseTo(-0.44, 3);
  });

  it("May 2022: UST to about $0.10 within a week, LUNA to about zero", () => {
    const { prices } = pathsOf("may-2022-terra");
    expect(minOf(prices.get("UST")!)).toBeCloseTo(0.1, 6);
    expect(minOf(prices.get("LUNA")!)).toBeLessThan(0.001);
  });

  it("June 2022: stETH about 6.5% below ETH at the trough", () => {
    const { prices } = pathsOf("june-2022-steth-discount");
    const eth = prices.get("ETH")!;
    const steth = prices.get("stETH")!;
    const ratio = steth.map((p, k) => p / eth[k]!);
    expect(ratio[0]).toBeCloseTo(0.97, 3);
    expect(minOf(ratio)).toBeCloseTo(0.935, 6);
  });

  it("November 2022: FTT down about 90%, SOL roughly halved or worse", () => {
    const { prices } = pathsOf("november-2022-ftx");
    expect(troughFromStart(prices.get("FTT")!)).toBeLessThan(-0.9);
    const sol = troughFromStart(prices.get("SOL")!);
    expect(sol).toBeLessThan(-0.5);
    expect(sol).toBeGreaterThan(-0.65);
  });

  it("March 2023: USDC low of about $0.87, back near $1 by the end", () => {
    const usdc = pathsOf("march-2023-usdc-depeg").prices.get("USDC")!;
    expect(minOf(usdc)).toBeCloseTo(0.87, 6);
    expect(usdc[usdc.length - 1]).toBeGreaterThan(0.99);
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
