/**
 * Price paths of a scenario's `market` assets (scenario-schema.ts): the real window replayed, or
 * seeded draws from models fitted to it. All market assets of a scenario move together: one
 * bootstrap block or one correlated shock serves every series in a step.
 *
 * - replay: the slice's series at each grid time (log-linear between its points when the grid is
 *   finer than the series), scaled to start at the asset's priceUsd. The seed plays no part.
 * - bootstrap: hourly innovation vectors drawn by a stationary bootstrap (mean block
 *   `meanBlockHours`) from the sample's windows, rebuilt into levels: price series compound their
 *   log returns; pegs and ratios run their AR(1) with the drawn residuals, capped.
 * - fitted: price series follow GARCH(1,1) with the long-sample alpha and beta (garch-t.json),
 *   variance-targeted to the sample's hourly variance and drifting at its mean return; pegs and
 *   ratios run their AR(1) with shocks of the sample's residual scale; every shock vector is a
 *   Student-t with the sample's correlation and tails (samples.json), price series sharing one
 *   mixing draw, each peg its own.
 *
 * Seeded models step hourly; on a half-hour grid the hourly path is interpolated (log-linear), on
 * a coarser grid it is sampled. For a ratio series the returned path is the ratio (stETH per ETH),
 * which the caller multiplies by its base's price path.
 */

import { MarketDataError } from "../market-data/errors.ts";
import {
  loadGarchFile,
  loadMarketSample,
  loadSampleFit,
  loadWindowSlice,
} from "../market-data/load-market-data.ts";
import { createGaussian } from "../paths/gaussian.ts";
import { createMultivariateT } from "../paths/multivariate-t.ts";
import { pegLevels } from "../paths/peg-ar1.ts";
import { createRng } from "../paths/prng.ts";
import { stationaryBootstrapIndices } from "../paths/stationary-bootstrap.ts";
import type { PricePathMode, Scenario } from "./scenario-schema.ts";

const HOUR = 3600;

export type MarketPricePathsParameters = {
  scenario: Scenario;
  mode: PricePathMode;
  /** Seed of this run's market stream (ignored by replay). */
  seed: number;
  /** Grid hours, steps + 1 of them. */
  hours: Float64Array;
};

/** Path per market asset symbol: USD prices, or the ratio for assets quoted on a base. */
export function marketPricePaths({
  scenario,
  mode,
  seed,
  hours,
}: MarketPricePathsParameters): Map<string, Float64Array> {
  const market = scenario.market;
  const assets = scenario.assets.flatMap((a) =>
    a.path.model === "market"
      ? [{ symbol: a.symbol, series: a.path.series, base: a.path.base, priceUsd: a.priceUsd }]
      : [],
  );
  const out = new Map<string, Float64Array>();
  if (!market || assets.length === 0) return out;
  const priceOf = new Map(scenario.assets.map((a) => [a.symbol, a.priceUsd]));
  // A ratio asset starts at its price over its base's; everything else at its price.
  const start = assets.map((a) => (a.base === undefined ? a.priceUsd : a.priceUsd / priceOf.get(a.base)!));

  if (mode === "replay") {
    const slice = loadWindowSlice(market.window);
    assets.forEach((a, i) => {
      const column = slice.series.get(a.series)!;
      const real = onGrid(slice.times, column.values, slice.times[0]!, hours);
      const lows = slice.series.get(`${a.series} low`);
      if (market.intrahourLows && lows) withIntrahourLows(real, slice.times, lows.values, hours);
      const scale = start[i]! / real[0]!;
      out.set(
        a.symbol,
        real.map((v) => v * scale),
      );
    });
    return out;
  }

  const sampleId = market.sample ?? market.window;
  const fit = loadSampleFit(sampleId);
  const series = assets.map((a) => a.series);
  const hourly = Math.ceil(hours[hours.length - 1]! - 1e-9);
  const rng = createRng(seed);
  const gaussian = createGaussian(rng);
  const n = assets.length;
  // innovation(t, c): the shock of series c over hour t -> t + 1.
  let innovation: (t: number, c: number) => number;
  if (mode === "bootstrap") {
    const sample = loadMarketSample(sampleId, series);
    const rows = stationaryBootstrapIndices({
      segments: sample.segments,
      steps: hourly,
      meanBlock: market.meanBlockHours ?? fit.meanBlockHours,
      rng,
    });
    innovation = (t, c) => sample.innovations[rows[t]! * n + c]!;
  } else {
    const garch = loadGarchFile();
    const index = series.map((s) => fit.order.indexOf(s));
    const correlation = Float64Array.from(
      { length: n * n },
      (_, k) => fit.correlation[index[Math.floor(k / n)]!]![index[k % n]!]!,
    );
    // Price series share one mixing draw (group 0); each peg has its own.
    const specs = series.map((s) => fit.series[s]!);
    const group = specs.map((f, c) => (f.kind === "price" ? 0 : 1 + c));
    const nu = [
      specs.find((f) => f.kind === "price")?.nu ?? Number.POSITIVE_INFINITY,
      ...specs.map((f) => f.nu),
    ];
    const draw = createMultivariateT({ correlation, n, nu, group, rng, gaussian });
    const z = new Float64Array(n);
    const shocks = new Float64Array(hourly * n);
    for (let t = 0; t < hourly; t++) {
      draw(z);
      shocks.set(z, t * n);
    }
    // Price series: GARCH variance recursion on the drawn shocks.
    const scaled = new Float64Array(hourly * n);
    series.forEach((s, c) => {
      const f = fit.series[s]!;
      if (f.kind === "price") {
        const g = garch.assets[f.garch];
        if (!g)
          throw new MarketDataError({ problem: `garch-t.json has no fit "${f.garch}" for series ${s}` });
        const omega = (1 - g.alpha - g.beta) * f.variance;
        let h = f.variance;
        for (let t = 0; t < hourly; t++) {
          if (t > 0) {
            const e = scaled[(t - 1) * n + c]! - f.mu;
            h = omega + g.alpha * e * e + g.beta * h;
          }
          scaled[t * n + c] = f.mu + Math.sqrt(h) * shocks[t * n + c]!;
        }
      } else for (let t = 0; t < hourly; t++) scaled[t * n + c] = f.residualStd * shocks[t * n + c]!;
    });
    innovation = (t, c) => scaled[t * n + c]!;
  }

  assets.forEach((a, c) => {
    const f = fit.series[a.series]!;
    const moves = Float64Array.from({ length: hourly }, (_, t) => innovation(t, c));
    let levels: Float64Array;
    if (f.kind === "price") {
      levels = new Float64Array(hourly + 1);
      let logPrice = Math.log(start[c]!);
      levels[0] = start[c]!;
      for (let t = 0; t < hourly; t++) {
        logPrice += moves[t]!;
        levels[t + 1] = Math.exp(logPrice);
      }
    } else {
      // Pegs revert towards their anchor (1); a scenario starting away from it (the demo's stETH at
      // parity) starts its AR(1) there.
      const x = pegLevels({
        x0: Math.log(start[c]!),
        phi: f.phi,
        innovations: moves,
        maxLogDeviation: Math.log(f.cap),
      });
      levels = x.map(Math.exp);
    }
    const hourTimes = Float64Array.from({ length: hourly + 1 }, (_, t) => t * HOUR);
    out.set(a.symbol, onGrid(hourTimes, levels, 0, hours));
  });
  return out;
}

/**
 * Values at `hours` (from `origin`, seconds) of a series given at `times` (NaN where it has no
 * value): exact where a point sits on the grid, log-linear between the points around it.
 */
function onGrid(
  times: Float64Array,
  values: Float64Array,
  origin: number,
  hours: Float64Array,
): Float64Array {
  const t: number[] = [];
  const v: number[] = [];
  for (let k = 0; k < times.length; k++)
    if (!Number.isNaN(values[k]!)) {
      t.push(times[k]! - origin);
      v.push(values[k]!);
    }
  const out = new Float64Array(hours.length);
  let j = 0;
  for (let k = 0; k < hours.length; k++) {
    const s = hours[k]! * HOUR;
    while (j + 1 < t.length && t[j + 1]! <= s + 1e-6) j++;
    if (Math.abs(t[j]! - s) <= 1e-6 || j + 1 >= t.length) {
      out[k] = v[j]!;
      continue;
    }
    const f = (s - t[j]!) / (t[j + 1]! - t[j]!);
    out[k] = Math.exp((1 - f) * Math.log(v[j]!) + f * Math.log(v[j + 1]!));
  }
  return out;
}

/**
 * Puts each hour's candle low between its closes: of the grid steps strictly inside the hour, the
 * one nearest mid-hour becomes min(its interpolated value, the low). `lows[k]` is the low of the
 * candle that closed at `times[k]`; an hour without an inside step or a low is left as it is.
 */
export function withIntrahourLows(
  path: Float64Array,
  times: Float64Array,
  lows: Float64Array,
  hours: Float64Array,
): void {
  const t0 = times[0]!;
  for (let k = 1; k < times.length; k++) {
    const low = lows[k]!;
    if (Number.isNaN(low)) continue;
    const end = (times[k]! - t0) / HOUR;
    const mid = end - 0.5;
    let best = -1;
    for (let j = 0; j < hours.length; j++) {
      const h = hours[j]!;
      if (h <= end - 1 + 1e-9 || h >= end - 1e-9) continue;
      if (best < 0 || Math.abs(h - mid) < Math.abs(hours[best]! - mid)) best = j;
    }
    if (best >= 0 && low < path[best]!) path[best] = low;
  }
}
