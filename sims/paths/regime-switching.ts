/**
 * A two-regime price path: calm and crisis, each its own jump diffusion, with a Markov chain
 * deciding the regime of every step. The chain moves calm -> crisis with probability
 * `pCalmToCrisis` per step and back with `pCrisisToCalm`; in the long run the path spends
 * pCalmToCrisis / (pCalmToCrisis + pCrisisToCalm) of its steps in crisis.
 */
import { InvalidPathParameterError, requireFinite, requireSteps } from "./errors.ts";
import { createGaussian } from "./gaussian.ts";
import { createMertonStep, type MertonModel } from "./merton-step.ts";
import { createRng } from "./prng.ts";

export const Regime = { calm: 0, crisis: 1 } as const;
export type Regime = (typeof Regime)[keyof typeof Regime];

export type RegimeSwitchingParameters = {
  s0: number;
  steps: number;
  dt: number;
  seed: number;
  calm: MertonModel;
  crisis: MertonModel;
  /** Per-step probability of entering a crisis from calm, in [0, 1]. */
  pCalmToCrisis: number;
  /** Per-step probability of leaving a crisis, in [0, 1]. */
  pCrisisToCalm: number;
  /** Regime of the first step. Default "calm". */
  initialRegime?: keyof typeof Regime | undefined;
};

export type RegimeSwitchingReturnType = {
  /** Prices at t = 0, dt, ..., steps * dt. */
  prices: Float64Array;
  /** regimes[k] is the regime in force over step k (from prices[k] to prices[k + 1]). */
  regimes: Uint8Array;
};

export function regimeSwitchingPath(parameters: RegimeSwitchingParameters): RegimeSwitchingReturnType {
  const { s0, steps, dt, seed, pCalmToCrisis, pCrisisToCalm } = parameters;
  requireFinite("s0", s0, { positive: true });
  requireSteps(steps);
  for (const [field, p] of [
    ["pCalmToCrisis", pCalmToCrisis],
    ["pCrisisToCalm", pCrisisToCalm],
  ] as const) {
    if (!(p >= 0 && p <= 1))
      throw new InvalidPathParameterError({ field, problem: `is ${p}, expected a probability in [0, 1]` });
  }
  const stepIn = [
    createMertonStep(parameters.calm, dt, "calm."),
    createMertonStep(parameters.crisis, dt, "crisis."),
  ] as const;
  const rng = createRng(seed);
  const gaussian = createGaussian(rng);

  const prices = new Float64Array(steps + 1);
  const regimes = new Uint8Array(steps);
  let regime: Regime = Regime[parameters.initialRegime ?? "calm"];
  let logPrice = Math.log(s0);
  prices[0] = s0;
  for (let k = 0; k < steps; k++) {
    if (k > 0) {
      const u = rng.nextFloat();
      if (regime === Regime.calm && u < pCalmToCrisis) regime = Regime.crisis;
      else if (regime === Regime.crisis && u < pCrisisToCalm) regime = Regime.calm;
    }
    regimes[k] = regime;
    logPrice += stepIn[regime](gaussian(), rng, gaussian);
    prices[k + 1] = Math.exp(logPrice);
  }
  return { prices, regimes };
}
