import { describe, expect, it } from "vitest";
import { gbmWithJumps } from "./gbm-with-jumps.ts";
import { logReturns, mean, variance } from "./sample-stats.ts";

const daily = 1 / 365;

describe("gbmWithJumps", () => {
  it("is deterministic per seed", () => {
    const p = {
      s0: 100,
      mu: 0.1,
      sigma: 0.6,
      jumpIntensity: 10,
      jumpMean: -0.05,
      jumpStd: 0.05,
      steps: 500,
      dt: daily,
      seed: 9,
    };
    const a = gbmWithJumps(p);
    expect(a).toEqual(gbmWithJumps(p));
    expect(a).not.toEqual(gbmWithJumps({ ...p, seed: 10 }));
    expect(a.length).toBe(501);
    expect(a[0]).toBe(100);
  });

  it("has GBM log-return moments: mean (mu - sigma^2/2) dt, variance sigma^2 dt", () => {
    const mu = 0.05;
    const sigma = 0.8;
    const N = 200_000;
    const r = logReturns(gbmWithJumps({ s0: 2000, mu, sigma, steps: N, dt: daily, seed: 1 }));
    const m = (mu - sigma ** 2 / 2) * daily;
    const v = sigma ** 2 * daily;
    // Standard error of the mean sqrt(v / N); of the variance v sqrt(2 / N). Allow 5 of each.
    expect(Math.abs(mean(r) - m)).toBeLessThan(5 * Math.sqrt(v / N));
    expect(Math.abs(variance(r) - v)).toBeLessThan(5 * v * Math.sqrt(2 / N));
  });

  it("adds compensated Merton jumps: moments match the jump-diffusion formulas", () => {
    const mu = 0;
    const sigma = 0.5;
    const lambda = 40; // a jump every ~9 days
    const jm = -0.08;
    const js = 0.06;
    const N = 200_000;
    const r = logReturns(
      gbmWithJumps({
        s0: 1,
        mu,
        sigma,
        jumpIntensity: lambda,
        jumpMean: jm,
        jumpStd: js,
        steps: N,
        dt: daily,
        seed: 2,
      }),
    );
    const k = Math.exp(jm + js ** 2 / 2) - 1;
    const m = (mu - sigma ** 2 / 2 - lambda * k) * daily + lambda * daily * jm;
    const v = sigma ** 2 * daily + lambda * daily * (js ** 2 + jm ** 2);
    expect(Math.abs(mean(r) - m)).toBeLessThan(5 * Math.sqrt(v / N));
    // Jumps fatten the tails, so the variance estimate is noisier than for a normal sample.
    expect(Math.abs(variance(r) / v - 1)).toBeLessThan(0.05);
    // Count the jumps indirectly: returns beyond 4 diffusion sds are almost all jump steps.
    const big = r.filter((x) => Math.abs(x) > 4 * sigma * Math.sqrt(daily)).length;
    expect(big).toBeGreaterThan(0);
  });

  it("names the bad parameter", () => {
    const p = { s0: 1, mu: 0, sigma: 0.5, steps: 10, dt: daily, seed: 1 };
    expect(() => gbmWithJumps({ ...p, sigma: -0.1 })).toThrow(/sigma: is -0.1, expected a number >= 0/);
    expect(() => gbmWithJumps({ ...p, s0: 0 })).toThrow(/s0: is 0, expected a number > 0/);
    expect(() => gbmWithJumps({ ...p, steps: 2.5 })).toThrow(/steps: is 2.5/);
    expect(() => gbmWithJumps({ ...p, dt: 0 })).toThrow(/dt: is 0/);
    expect(() => gbmWithJumps({ ...p, jumpIntensity: -1 })).toThrow(/jumpIntensity: is -1/);
  });
});
