/**
 * Seeded market paths (bootstrap and fitted): they vary with the seed and reproduce per seed, all
 * market assets move together, pegs respect their caps, and their stylised facts (hourly
 * volatility, excess kurtosis, cross-asset correlation) are in the ballpark of the real window's.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSampleFit } from "../market-data/load-market-data.ts";
import { correlation, excessKurtosis, logReturns, quantile, variance } from "../paths/sample-stats.ts";
import { listScenarios, loadScenario } from "./load-scenario.ts";
import { scenarioPricePaths } from "./scenario-price-paths.ts";
import type { PricePathMode, Scenario } from "./scenario-schema.ts";

const DEMO = fileURLToPath(new URL("../engine/scenarios/contagion-demo.json", import.meta.url));
const withMarket = [...listScenarios(), DEMO].map((n) => loadScenario(n)).filter((s) => s.market);
const marketSymbols = (s: Scenario) => s.assets.filter((a) => a.path.model === "market").map((a) => a.symbol);
const SEEDED: PricePathMode[] = ["bootstrap", "fitted"];

describe("seeded market paths", () => {
  it.each(SEEDED)(
    "%s: every market asset varies with the seed and reproduces bit for bit per seed",
    (paths) => {
      for (const scenario of withMarket) {
        const a = scenarioPricePaths({ scenario, seed: 3, paths });
        const again = scenarioPricePaths({ scenario, seed: 3, paths });
        const b = scenarioPricePaths({ scenario, seed: 4, paths });
        for (const sym of marketSymbols(scenario)) {
          expect(again.prices.get(sym), `${scenario.name} ${sym}`).toEqual(a.prices.get(sym));
          expect(b.prices.get(sym), `${scenario.name} ${sym}`).not.toEqual(a.prices.get(sym));
          expect(a.prices.get(sym)![0], `${scenario.name} ${sym} starts at its price`).toBeCloseTo(
            scenario.assets.find((x) => x.symbol === sym)!.priceUsd,
            8,
          );
        }
      }
    },
  );

  it("replay ignores the seed", () => {
    for (const scenario of withMarket)
      for (const sym of marketSymbols(scenario))
        expect(scenarioPricePaths({ scenario, seed: 1 }).prices.get(sym)).toEqual(
          scenarioPricePaths({ scenario, seed: 2 }).prices.get(sym),
        );
  });

  it.each(SEEDED)("%s: pegs never go above their cap, and stETH never above ETH", (paths) => {
    const june = loadScenario("june-2022-steth-discount");
    const usdc2023 = loadScenario("march-2023-usdc-depeg");
    const capOf = (s: Scenario, series: string) => {
      const f = loadSampleFit(s.market!.sample ?? s.market!.window).series[series]!;
      return f.kind === "price" ? Number.POSITIVE_INFINITY : f.cap;
    };
    for (let seed = 1; seed <= 100; seed++) {
      const j = scenarioPricePaths({ scenario: june, seed, paths }).prices;
      const eth = j.get("ETH")!;
      expect(j.get("stETH")!.every((p, k) => p <= eth[k]! * (1 + 1e-12))).toBe(true);
      const usdc = scenarioPricePaths({ scenario: usdc2023, seed, paths }).prices.get("USDC")!;
      expect(Math.max(...usdc)).toBeLessThanOrEqual(capOf(usdc2023, "USDC") * (1 + 1e-12));
    }
  });

  it("the bootstrap moves all market assets together: every simulated hour is one real hour of the window", () => {
    // Drawn independently per asset, ETH's move of one real hour would meet BTC's move of another.
    const ftx = loadScenario("november-2022-ftx");
    const real = scenarioPricePaths({ scenario: ftx }).prices;
    const key = (x: number) => x.toFixed(9);
    const btcFor = new Map<string, number>();
    const ethReal = logReturns(real.get("ETH")!);
    const btcReal = logReturns(real.get("BTC")!);
    for (const [k, r] of ethReal.entries()) btcFor.set(key(r), btcReal[k]!);
    let matched = 0;
    let hours = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const p = scenarioPricePaths({ scenario: ftx, seed, paths: "bootstrap" }).prices;
      const btc = logReturns(p.get("BTC")!);
      logReturns(p.get("ETH")!).forEach((r, k) => {
        hours++;
        const partner = btcFor.get(key(r));
        if (partner !== undefined && Math.abs(partner - btc[k]!) < 1e-9) matched++;
      });
    }
    expect(matched).toBe(hours);
  });
});

/**
 * Stylised facts. For each scenario and seeded mode, 300 seeded paths of the scenario's horizon;
 * per path the hourly volatility, excess kurtosis and correlation of two assets' hourly log
 * returns. The real window is one such path: its statistic must fall inside the central 96% of
 * the simulated ones (between the 2nd and 98th percentiles), i.e. the models neither tame nor
 * exaggerate the crisis. Pooled over paths, the bootstrap must also match the window's volatility
 * within 10% and its correlation within 0.05 (it resamples the window's own hours).
 */
describe("stylised facts of seeded paths against the real window", () => {
  const cases: [string, string, string][] = [
    ["june-2022-steth-discount", "ETH", "stETH"],
    ["november-2022-ftx", "ETH", "BTC"],
    ["march-2020-black-thursday", "ETH", "DAI"],
    ["may-2021-deleveraging", "ETH", "WBTC"],
    ["may-2022-terra", "BTC", "UST"],
    ["march-2023-usdc-depeg", "USDC", "ETH"],
    [DEMO, "ETH", "stETH"],
  ];
  const stats = (s: Scenario, prices: Map<string, Float64Array>, a: string, b: string) => {
    // Hourly points only: half-hour grids interpolate between hours.
    const hourly = (p: Float64Array) => (s.time.stepHours === 0.5 ? p.filter((_, k) => k % 2 === 0) : p);
    const ra = logReturns(hourly(prices.get(a)!));
    const rb = logReturns(hourly(prices.get(b)!));
    return { ra, rb, vol: Math.sqrt(variance(ra)), kurtosis: excessKurtosis(ra), rho: correlation(ra, rb) };
  };

  it.each(SEEDED.flatMap((mode) => cases.map(([name, a, b]) => [mode, name, a, b] as const)))(
    "%s %s: %s's volatility and kurtosis and its correlation with %s",
    (mode, name, a, b) => {
      const scenario = loadScenario(name);
      const real = stats(scenario, scenarioPricePaths({ scenario }).prices, a, b);
      const per = { vol: [] as number[], kurtosis: [] as number[], rho: [] as number[] };
      const pooledA: number[] = [];
      const pooledB: number[] = [];
      for (let seed = 1; seed <= 300; seed++) {
        const s = stats(scenario, scenarioPricePaths({ scenario, seed, paths: mode }).prices, a, b);
        per.vol.push(s.vol);
        per.kurtosis.push(s.kurtosis);
        per.rho.push(s.rho);
        pooledA.push(...s.ra);
        pooledB.push(...s.rb);
      }
      for (const key of ["vol", "kurtosis", "rho"] as const) {
        const sim = Float64Array.from(per[key]);
        expect(real[key], `${key}: real ${real[key]} vs simulated 2nd percentile`).toBeGreaterThanOrEqual(
          quantile(sim, 0.02),
        );
        expect(real[key], `${key}: real ${real[key]} vs simulated 98th percentile`).toBeLessThanOrEqual(
          quantile(sim, 0.98),
        );
      }
      if (mode === "bootstrap") {
        const pa = Float64Array.from(pooledA);
        const pb = Float64Array.from(pooledB);
        const sample = loadSampleFit(scenario.market!.sample ?? scenario.market!.window);
        // The sample's own hourly volatility (for the demo, the pooled 2022 windows').
        const series = (scenario.assets.find((x) => x.symbol === a)!.path as { series: string }).series;
        const fit = sample.series[series]!;
        const target = fit.kind === "price" ? Math.sqrt(fit.variance) : real.vol;
        expect(Math.abs(Math.sqrt(variance(pa)) / target - 1)).toBeLessThan(0.1);
        if (name !== DEMO) expect(Math.abs(correlation(pa, pb) - real.rho)).toBeLessThan(0.05);
      }
    },
  );
});
