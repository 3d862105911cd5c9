/**
 * Turns a scenario's price specifications into price paths on its time grid (USD floats; the
 * engine turns them into money with `pathToUsd8`).
 *
 * Order: market paths (the real window replayed, or seeded draws fitted to it: all market assets
 * together, ./market-price-paths.ts), scripted, constant and stochastic paths (correlated gbm
 * assets drawn together), then the scenario's shocks, then ratio paths on top of their (already
 * shocked) base, then any shocks on the ratio assets themselves. A shock is a permanent jump: from
 * the first step at or after its hour, the price is multiplied by (1 + magnitude).
 *
 * Which market mode: the `paths` parameter, else the scenario's `market.paths` (default replay).
 */
import { correlatedPaths } from "../paths/correlated-paths.ts";
import { gbmWithJumps } from "../paths/gbm-with-jumps.ts";
import type { MertonModel } from "../paths/merton-step.ts";
import { deriveSeed } from "../paths/prng.ts";
import { regimeSwitchingPath } from "../paths/regime-switching.ts";
import { scriptedPath } from "../paths/scripted-path.ts";
import { marketPricePaths } from "./market-price-paths.ts";
import {
  correlationMatrix,
  keyframeHours,
  type PricePathMode,
  type Scenario,
  type ScenarioAsset,
} from "./scenario-schema.ts";

const HOURS_PER_YEAR = 8760;

export type ScenarioPricePathsParameters = {
  scenario: Scenario;
  /** Overrides the scenario's seed (for many-seed sweeps). */
  seed?: number | undefined;
  /** How `market` assets move; overrides the scenario's `market.paths` (default "replay"). */
  paths?: PricePathMode | undefined;
};

export type ScenarioPricePathsReturnType = {
  steps: number;
  /** Hour of each grid point, steps + 1 of them. */
  hours: Float64Array;
  /** USD price of each asset at each grid point. */
  prices: Map<string, Float64Array>;
};

type Diffusion = {
  muAnnual: number;
  sigmaAnnual: number;
  jumps?: { perYear: number; meanLog: number; stdLog: number } | undefined;
};

const merton = (d: Diffusion): MertonModel => ({
  mu: d.muAnnual,
  sigma: d.sigmaAnnual,
  jumpIntensity: d.jumps?.perYear ?? 0,
  jumpMean: d.jumps?.meanLog ?? 0,
  jumpStd: d.jumps?.stdLog ?? 0,
});

/** An asset quoted on another's price: a scripted ratio path, or a market ratio series. */
const isRatio = (a: ScenarioAsset | undefined): boolean =>
  a?.path.model === "ratio" || (a?.path.model === "market" && a.path.base !== undefined);

export function scenarioPricePaths({
  scenario,
  seed,
  paths: mode,
}: ScenarioPricePathsParameters): ScenarioPricePathsReturnType {
  const { stepHours, horizonHours } = scenario.time;
  const steps = Math.round(horizonHours / stepHours);
  const dtYears = stepHours / HOURS_PER_YEAR;
  const baseSeed = seed ?? scenario.seed;
  const hours = Float64Array.from({ length: steps + 1 }, (_, k) => k * stepHours);
  const prices = new Map<string, Float64Array>();

  const market = marketPricePaths({
    scenario,
    mode: mode ?? scenario.market?.paths ?? "replay",
    seed: deriveSeed(baseSeed, 50_000),
    hours,
  });
  for (const [sym, path] of market)
    if (!isRatio(scenario.assets.find((a) => a.symbol === sym))) prices.set(sym, path);

  const correlated = [...new Set(scenario.correlations.flatMap((c) => c.assets))];
  if (correlated.length > 0) {
    const specs = correlated.map((sym) => {
      const asset = scenario.assets.find((a) => a.symbol === sym)!;
      // The schema only lets gbm assets into correlations.
      if (asset.path.model !== "gbm") throw new Error(`unreachable: correlated asset ${sym} is not gbm`);
      return { s0: asset.priceUsd, ...merton(asset.path) };
    });
    const paths = correlatedPaths({
      assets: specs,
      correlation: correlationMatrix(correlated, scenario.correlations),
      steps,
      dt: dtYears,
      seed: deriveSeed(baseSeed, 0),
    });
    for (const [i, sym] of correlated.entries()) prices.set(sym, paths[i]!);
  }

  scenario.assets.forEach((asset, index) => {
    if (prices.has(asset.symbol) || isRatio(asset)) return;
    prices.set(asset.symbol, ownPath(asset, steps, stepHours, dtYears, deriveSeed(baseSeed, 1 + index)));
  });
  const ratioAsset = (sym: string) => isRatio(scenario.assets.find((a) => a.symbol === sym));
  applyShocks(scenario, prices, stepHours, (sym) => !ratioAsset(sym));

  for (const asset of scenario.assets) {
    const path = asset.path;
    if (path.model === "market" && path.base !== undefined) {
      const basePrices = prices.get(path.base)!;
      const ratio = market.get(asset.symbol)!;
      prices.set(
        asset.symbol,
        ratio.map((r, k) => r * basePrices[k]!),
      );
      continue;
    }
    if (path.model !== "ratio") continue;
    const base = scenario.assets.find((a) => a.symbol === path.base)!;
    const ratio = scriptedPath({
      keyframes: [
        { t: 0, price: asset.priceUsd / base.priceUsd },
        ...path.keyframes.map((k) => ({ t: keyframeHours(k), price: k.ratio })),
      ],
      steps,
      dt: stepHours,
    });
    const basePrices = prices.get(base.symbol)!;
    prices.set(
      asset.symbol,
      ratio.map((r, k) => r * basePrices[k]!),
    );
  }
  applyShocks(scenario, prices, stepHours, ratioAsset);

  return { steps, hours, prices };
}

function ownPath(
  asset: ScenarioAsset,
  steps: number,
  stepHours: number,
  dtYears: number,
  seed: number,
): Float64Array {
  const s0 = asset.priceUsd;
  const path = asset.path;
  switch (path.model) {
    case "constant":
      return new Float64Array(steps + 1).fill(s0);
    case "scripted":
      return scriptedPath({
        keyframes: [
          { t: 0, price: s0 },
          ...path.keyframes.map((k) => ({ t: keyframeHours(k), price: s0 * (1 + k.change) })),
        ],
        steps,
        dt: stepHours,
      });
    case "gbm":
      return gbmWithJumps({ s0, ...merton(path), steps, dt: dtYears, seed });
    case "regime-switching":
      return regimeSwitchingPath({
        s0,
        steps,
        dt: dtYears,
        seed,
        calm: merton(path.calm),
        crisis: merton(path.crisis),
        // Exponential durations with the given means, sampled once per step.
        pCalmToCrisis: 1 - Math.exp(-stepHours / path.meanCalmHours),
        pCrisisToCalm: 1 - Math.exp(-stepHours / path.meanCrisisHours),
        initialRegime: path.start,
      }).prices;
    case "ratio":
      throw new Error("unreachable: ratio paths are built from their base");
    case "market":
      throw new Error("unreachable: market paths are built together, first");
  }
}

function applyShocks(
  scenario: Scenario,
  prices: Map<string, Float64Array>,
  stepHours: number,
  applies: (symbol: string) => boolean,
): void {
  for (const shock of scenario.shocks) {
    if (!applies(shock.asset)) continue;
    const path = prices.get(shock.asset)!;
    const first = Math.ceil(shock.atHours / stepHours - 1e-9);
    for (let k = first; k < path.length; k++) path[k] = path[k]! * (1 + shock.magnitude);
  }
}
