import { describe, expect, it } from "vitest";
import { fitGarchT, garchTLogLikelihood, garchVariances, simulateGarchT } from "./garch.ts";

// Hourly-crypto-like truth: 0.8% hourly vol in the long run, persistence 0.97, nu 5.
const truth = { mu: 0.0001, omega: 0.000064 * 0.03, alpha: 0.1, beta: 0.87, nu: 5 };

describe("GARCH(1,1)-t", () => {
  it("filters causally: truncating the returns leaves earlier variances unchanged", () => {
    const r = simulateGarchT({ model: truth, steps: 500, seed: 1 });
    const full = garchVariances({ returns: r, model: truth });
    const cut = garchVariances({ returns: r.slice(0, 200), model: truth });
    expect([...cut]).toEqual([...full.slice(0, 200)]);
    // h_t does not see r_t: changing the last return changes no variance.
    const changed = Float64Array.from(r);
    changed[499] = 0.5;
    expect([...garchVariances({ returns: changed, model: truth })]).toEqual([...full]);
  });

  it("simulates reproducibly per seed", () => {
    const a = simulateGarchT({ model: truth, steps: 100, seed: 5 });
    expect(a).toEqual(simulateGarchT({ model: truth, steps: 100, seed: 5 }));
    expect(a).not.toEqual(simulateGarchT({ model: truth, steps: 100, seed: 6 }));
  });

  it("recovers known parameters from a simulated series by maximum likelihood", () => {
    const returns = simulateGarchT({ model: truth, steps: 20_000, seed: 11 });
    const fit = fitGarchT({ returns });
    // Asymptotic standard errors at n = 20,000 are about 0.008 (alpha), 0.01 (beta), 0.3 (nu);
    // the tolerances are three of them.
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.025);
    expect(Math.abs(fit.beta - truth.beta)).toBeLessThan(0.03);
    expect(Math.abs(fit.nu - truth.nu)).toBeLessThan(1);
    expect(Math.abs(fit.persistence - 0.97)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(fit.unconditionalVariance) / 0.008 - 1)).toBeLessThan(0.1);
    // The optimum is at least as likely as the truth.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(garchTLogLikelihood({ returns, model: truth }) - 1e-6);
  });

  it("names the problem with a series too short to fit", () => {
    expect(() => fitGarchT({ returns: new Float64Array(10) })).toThrow(/returns: has 10 observations/);
  });
});
