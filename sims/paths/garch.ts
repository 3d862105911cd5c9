/**
 * GARCH(1,1) with Student-t innovations, hourly log returns:
 *
 *   r_t = mu + e_t,   e_t = sqrt(h_t) z_t,   z_t ~ t(nu) scaled to unit variance,
 *   h_t = omega + alpha e_{t-1}^2 + beta h_{t-1}.
 *
 * The variance filter is causal: h_t uses returns up to t - 1 only (tested by truncation).
 * `fitGarchT` is the maximum-likelihood fit (mu fixed at the sample mean, as is usual for
 * hourly returns whose mean is noise), searched by Nelder-Mead over an unconstrained
 * reparametrisation that keeps omega > 0, alpha, beta >= 0, alpha + beta < 1 and nu > 2.
 */
import { InvalidPathParameterError, requireFinite, requireSteps } from "./errors.ts";
import { createGaussian } from "./gaussian.ts";
import { nelderMead } from "./nelder-mead.ts";
import { createRng } from "./prng.ts";
import { mean, variance } from "./sample-stats.ts";
import { requireDegreesOfFreedom, standardizedT, standardizedTLogDensity } from "./student-t.ts";

export type GarchT = {
  /** Mean hourly log return. */
  mu: number;
  omega: number;
  alpha: number;
  beta: number;
  /** Degrees of freedom of the innovations, > 2. */
  nu: number;
};

export type GarchVariancesParameters = {
  returns: Float64Array;
  model: Omit<GarchT, "nu">;
  /** Variance of the first step. Default: the unconditional variance omega / (1 - alpha - beta). */
  h0?: number | undefined;
};

/** Conditional variances h_0..h_{n-1} of `returns` (causal). */
export function garchVariances({ returns, model, h0 }: GarchVariancesParameters): Float64Array {
  const { mu, omega, alpha, beta } = model;
  const h = new Float64Array(returns.length);
  let previous = h0 ?? omega / (1 - alpha - beta);
  for (let t = 0; t < returns.length; t++) {
    if (t > 0) {
      const e = returns[t - 1]! - mu;
      previous = omega + alpha * e * e + beta * previous;
    }
    h[t] = previous;
  }
  return h;
}

export type GarchTLogLikelihoodParameters = {
  returns: Float64Array;
  model: GarchT;
  h0?: number | undefined;
};

export function garchTLogLikelihood({ returns, model, h0 }: GarchTLogLikelihoodParameters): number {
  const h = garchVariances({ returns, model, h0 });
  let sum = 0;
  for (let t = 0; t < returns.length; t++) {
    const z = (returns[t]! - model.mu) / Math.sqrt(h[t]!);
    sum += standardizedTLogDensity(z, model.nu) - 0.5 * Math.log(h[t]!);
  }
  return sum;
}

export type FitGarchTParameters = {
  returns: Float64Array;
  /** Nelder-Mead restarts from the previous optimum (guards against an early stall). Default 3. */
  restarts?: number | undefined;
};

export type FitGarchTReturnType = GarchT & {
  logLikelihood: number;
  /** alpha + beta: how slowly a volatility shock decays (its half-life is log 0.5 / log of it). */
  persistence: number;
  unconditionalVariance: number;
  observations: number;
  converged: boolean;
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));
/** Persistence stays below this so the unconditional variance exists. */
export const MAX_PERSISTENCE = 0.9999;

function fromUnconstrained(theta: Float64Array, mu: number): GarchT {
  const persistence = MAX_PERSISTENCE * sigmoid(theta[1]!);
  const alphaShare = sigmoid(theta[2]!);
  const longRunVariance = Math.exp(theta[0]!);
  return {
    mu,
    omega: (1 - persistence) * longRunVariance,
    alpha: persistence * alphaShare,
    beta: persistence * (1 - alphaShare),
    nu: 2 + Math.exp(theta[3]!),
  };
}

export function fitGarchT({ returns, restarts = 3 }: FitGarchTParameters): FitGarchTReturnType {
  if (returns.length < 50)
    throw new InvalidPathParameterError({
      field: "returns",
      problem: `has ${returns.length} observations; a GARCH fit needs at least 50 (thousands to be useful)`,
    });
  for (const [i, r] of returns.entries()) requireFinite(`returns[${i}]`, r);
  const mu = mean(returns);
  const sampleVariance = variance(returns);
  // The sample variance starts the recursion: the first observation has no past.
  const h0 = sampleVariance;
  const objective = (theta: Float64Array) =>
    -garchTLogLikelihood({ returns, model: fromUnconstrained(theta, mu), h0 });
  // Start near typical hourly crypto values: persistence 0.95, a tenth of it from the last shock, nu 6.
  let x0 = [Math.log(sampleVariance), logit(0.95 / MAX_PERSISTENCE), logit(0.1), Math.log(4)];
  let best = nelderMead({ f: objective, x0, step: 0.5, tolerance: 1e-7 });
  for (let r = 0; r < restarts; r++) {
    x0 = [...best.x];
    const next = nelderMead({ f: objective, x0, step: 0.2, tolerance: 1e-9 });
    const improved = next.value < best.value - 1e-9;
    best = next.value <= best.value ? next : best;
    if (!improved) break;
  }
  const model = fromUnconstrained(best.x, mu);
  const persistence = model.alpha + model.beta;
  return {
    ...model,
    logLikelihood: -best.value,
    persistence,
    unconditionalVariance: model.omega / (1 - persistence),
    observations: returns.length,
    converged: best.converged,
  };
}

export function requireGarch(field: string, model: GarchT): void {
  requireFinite(`${field}.mu`, model.mu);
  requireFinite(`${field}.omega`, model.omega, { positive: true });
  requireFinite(`${field}.alpha`, model.alpha, { min: 0 });
  requireFinite(`${field}.beta`, model.beta, { min: 0 });
  if (model.alpha + model.beta >= 1)
    throw new InvalidPathParameterError({
      field: `${field}.beta`,
      problem: `alpha + beta is ${model.alpha + model.beta}; expected < 1 (a finite long-run variance)`,
    });
  requireDegreesOfFreedom(`${field}.nu`, model.nu);
}

export type SimulateGarchTParameters = {
  model: GarchT;
  steps: number;
  seed: number;
  /** Variance of the first step. Default: the unconditional variance. */
  h0?: number | undefined;
};

/** `steps` hourly log returns drawn from the model (one asset; joint draws live in the market paths). */
export function simulateGarchT({ model, steps, seed, h0 }: SimulateGarchTParameters): Float64Array {
  requireGarch("model", model);
  requireSteps(steps);
  const rng = createRng(seed);
  const gaussian = createGaussian(rng);
  const out = new Float64Array(steps);
  let h = h0 ?? model.omega / (1 - model.alpha - model.beta);
  for (let t = 0; t < steps; t++) {
    if (t > 0) {
      const e = out[t - 1]! - model.mu;
      h = model.omega + model.alpha * e * e + model.beta * h;
    }
    out[t] = model.mu + Math.sqrt(h) * standardizedT(model.nu, rng, gaussian);
  }
  return out;
}
