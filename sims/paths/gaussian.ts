/** Standard normal variates from a seeded Rng: Marsaglia's polar method (two per accepted pair). */
import type { Rng } from "./prng.ts";

export function createGaussian(rng: Rng): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * rng.nextFloat() - 1;
      v = 2 * rng.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * factor;
    return u * factor;
  };
}
