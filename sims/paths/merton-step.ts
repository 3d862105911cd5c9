/**
 * One step of Merton's jump diffusion in log space, shared by the path generators:
 *
 *   log S(t + dt) - log S(t) = (mu - sigma^2 / 2 - lambda k) dt + sigma sqrt(dt) Z + sum_{1..N} Y
 *
 * with Z ~ N(0, 1), N ~ Poisson(lambda dt) jumps, each Y ~ N(jumpMean, jumpStd^2) in log price,
 * and k = E[e^Y - 1] = exp(jumpMean + jumpStd^2 / 2) - 1. The -lambda k term compensates the
 * jumps, so `mu` stays the expected rate of return: E[S(t)] = S(0) e^(mu t).
 *
 * Units: mu, sigma and jumpIntensity are per unit of time and dt is in the same unit (the
 * scenario layer uses years).
 */
import { requireFinite } from "./errors.ts";
import type { Rng } from "./prng.ts";

export type MertonModel = {
  /** Expected rate of return (drift of the price, not of its log). */
  mu: number;
  /** Diffusion volatility, >= 0. */
  sigma: number;
  /** Expected number of jumps per unit time, >= 0. Default 0 (plain GBM). */
  jumpIntensity?: number | undefined;
  /** Mean of the log jump size (e.g. -0.1 for jumps of about -10%). */
  jumpMean?: number | undefined;
  /** Standard deviation of the log jump size, >= 0. */
  jumpStd?: number | undefined;
};

/** Returns the log increment for one step given a standard normal `z` for the diffusion. */
export function createMertonStep(
  model: MertonModel,
  dt: number,
  field = "",
): (z: number, rng: Rng, gaussian: () => number) => number {
  const { mu, sigma } = model;
  const lambda = model.jumpIntensity ?? 0;
  const jumpMean = model.jumpMean ?? 0;
  const jumpStd = model.jumpStd ?? 0;
  requireFinite(`${field}mu`, mu);
  requireFinite(`${field}sigma`, sigma, { min: 0 });
  requireFinite(`${field}jumpIntensity`, lambda, { min: 0 });
  requireFinite(`${field}jumpMean`, jumpMean);
  requireFinite(`${field}jumpStd`, jumpStd, { min: 0 });
  requireFinite("dt", dt, { positive: true });

  const k = Math.exp(jumpMean + (jumpStd * jumpStd) / 2) - 1;
  const drift = (mu - (sigma * sigma) / 2 - lambda * k) * dt;
  const diffusion = sigma * Math.sqrt(dt);
  const jumpsPerStep = lambda * dt;
  return (z, rng, gaussian) => {
    let x = drift + diffusion * z;
    if (jumpsPerStep > 0) {
      const jumps = poisson(jumpsPerStep, rng);
      for (let j = 0; j < jumps; j++) x += jumpMean + jumpStd * gaussian();
    }
    return x;
  };
}

/** Poisson variate by Knuth's product of uniforms; large means are split to avoid underflow. */
export function poisson(mean: number, rng: Rng): number {
  let count = 0;
  let remaining = mean;
  while (remaining > 0) {
    const chunk = Math.min(remaining, 30);
    remaining -= chunk;
    const limit = Math.exp(-chunk);
    let product = rng.nextFloat();
    while (product > limit) {
      count++;
      product *= rng.nextFloat();
    }
  }
  return count;
}
