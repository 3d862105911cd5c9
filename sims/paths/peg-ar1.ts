/**
 * A pegged price (a stablecoin against $1, stETH against ETH) as an AR(1) in its log deviation
 * from the anchor:  x_t = log(p_t / anchor),  x_t = phi x_{t-1} + e_t,  with x capped at
 * log(cap / anchor) because minting at the anchor is arbitrage above it (1 ETH stakes into
 * 1 stETH; $1 mints 1 USDC). phi is fitted by least squares without intercept and kept in
 * [0, 1]: phi < 1 pulls a depeg back towards the anchor, phi = 1 lets it wander (UST).
 *
 * Seeded paths draw the innovations e (bootstrapped or fitted) and rebuild the level with
 * `pegLevels`; bootstrapping raw price changes instead would let a recovery arrive before the
 * fall it recovers from and pin the price at its cap.
 */
import { InvalidPathParameterError, requireFinite } from "./errors.ts";

export type FitPegAr1Parameters = {
  /** Log deviations from the anchor, one array per contiguous segment (pairs never span two). */
  segments: readonly Float64Array[];
};

export type FitPegAr1ReturnType = { phi: number; residualStd: number; pairs: number };

export function fitPegAr1({ segments }: FitPegAr1Parameters): FitPegAr1ReturnType {
  let sxy = 0;
  let sxx = 0;
  let pairs = 0;
  for (const x of segments)
    for (let t = 1; t < x.length; t++) {
      sxy += x[t]! * x[t - 1]!;
      sxx += x[t - 1]! * x[t - 1]!;
      pairs++;
    }
  if (pairs === 0)
    throw new InvalidPathParameterError({ field: "segments", problem: "have no consecutive pairs to fit" });
  // A series that never left its anchor carries no information on phi: treat it as a random walk
  // of its (tiny) innovations.
  const phi = sxx < 1e-14 ? 1 : Math.min(1, Math.max(0, sxy / sxx));
  let sse = 0;
  for (const x of segments) for (let t = 1; t < x.length; t++) sse += (x[t]! - phi * x[t - 1]!) ** 2;
  return { phi, residualStd: Math.sqrt(sse / pairs), pairs };
}

/** Residuals e_t = x_t - phi x_{t-1} for t = 1..n-1 of one segment. */
export function pegResiduals(x: Float64Array, phi: number): Float64Array {
  const out = new Float64Array(Math.max(0, x.length - 1));
  for (let t = 1; t < x.length; t++) out[t - 1] = x[t]! - phi * x[t - 1]!;
  return out;
}

export type PegLevelsParameters = {
  /** Log deviation at step 0. */
  x0: number;
  phi: number;
  /** Innovations e_1..e_n. */
  innovations: Float64Array;
  /** Upper bound on the log deviation (log(cap / anchor)). */
  maxLogDeviation: number;
};

/** Log deviations x_0..x_n (n + 1 values). */
export function pegLevels({ x0, phi, innovations, maxLogDeviation }: PegLevelsParameters): Float64Array {
  requireFinite("x0", x0);
  requireFinite("phi", phi, { min: 0 });
  const out = new Float64Array(innovations.length + 1);
  out[0] = Math.min(x0, maxLogDeviation);
  for (let t = 1; t <= innovations.length; t++)
    out[t] = Math.min(maxLogDeviation, phi * out[t - 1]! + innovations[t - 1]!);
  return out;
}
