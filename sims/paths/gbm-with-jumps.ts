/** A single seeded price path under geometric Brownian motion with Merton jumps. */
import { requireFinite, requireSteps } from "./errors.ts";
import { createGaussian } from "./gaussian.ts";
import { createMertonStep, type MertonModel } from "./merton-step.ts";
import { createRng } from "./prng.ts";

export type GbmWithJumpsParameters = MertonModel & {
  /** Price at step 0, > 0. */
  s0: number;
  /** Number of steps; the path has steps + 1 points. */
  steps: number;
  /** Step length, in the time unit of mu, sigma and jumpIntensity. */
  dt: number;
  seed: number;
};

/** Prices at t = 0, dt, ..., steps * dt. Same parameters and seed, same path, bit for bit. */
export function gbmWithJumps(parameters: GbmWithJumpsParameters): Float64Array {
  const { s0, steps, dt, seed } = parameters;
  requireFinite("s0", s0, { positive: true });
  requireSteps(steps);
  const step = createMertonStep(parameters, dt);
  const rng = createRng(seed);
  const gaussian = createGaussian(rng);

  const path = new Float64Array(steps + 1);
  let logPrice = Math.log(s0);
  path[0] = s0;
  for (let k = 1; k <= steps; k++) {
    logPrice += step(gaussian(), rng, gaussian);
    path[k] = Math.exp(logPrice);
  }
  return path;
}
