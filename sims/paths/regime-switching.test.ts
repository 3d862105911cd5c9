import { describe, expect, it } from "vitest";
import { Regime, regimeSwitchingPath } from "./regime-switching.ts";
import { logReturns, variance } from "./sample-stats.ts";

const hourly = 1 / 8760;
const base = {
  s0: 100,
  steps: 200_000,
  dt: hourly,
  seed: 5,
  calm: { mu: 0, sigma: 0.5 },
  crisis: { mu: -0.5, sigma: 2 },
  pCalmToCrisis: 0.01,
  pCrisisToCalm: 0.05,
};

describe("regimeSwitchingPath", () => {
  it("is deterministic per seed", () => {
    const short = { ...base, steps: 1000 };
    expect(regimeSwitchingPath(short)).toEqual(regimeSwitchingPath(short));
    expect(regimeSwitchingPath(short).prices).not.toEqual(regimeSwitchingPath({ ...short, seed: 6 }).prices);
  });

  it("spends the stationary share of time in crisis, with each regime's volatility", () => {
    const { prices, regimes } = regimeSwitchingPath(base);
    const crisisShare = regimes.filter((r) => r === Regime.crisis).length / regimes.length;
    // Stationary share 0.01 / (0.01 + 0.05) = 1/6; runs are autocorrelated, so allow 0.025.
    expect(Math.abs(crisisShare - 1 / 6)).toBeLessThan(0.025);
    const r = logReturns(prices);
    const inRegime = (which: Regime) => r.filter((_, k) => regimes[k] === which);
    expect(Math.sqrt(variance(inRegime(Regime.calm)) / hourly)).toBeCloseTo(0.5, 1);
    expect(Math.sqrt(variance(inRegime(Regime.crisis)) / hourly)).toBeCloseTo(2, 1);
  });

  it("starts in the requested regime and can stay there", () => {
    const { regimes } = regimeSwitchingPath({
      ...base,
      steps: 100,
      initialRegime: "crisis",
      pCrisisToCalm: 0,
    });
    expect(regimes.every((r) => r === Regime.crisis)).toBe(true);
  });

  it("names a bad probability or regime parameter", () => {
    expect(() => regimeSwitchingPath({ ...base, pCalmToCrisis: 1.2 })).toThrow(
      /pCalmToCrisis: is 1.2, expected a probability/,
    );
    expect(() => regimeSwitchingPath({ ...base, crisis: { mu: 0, sigma: -1 } })).toThrow(
      /crisis.sigma: is -1/,
    );
  });
});
