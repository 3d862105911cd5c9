/**
 * Deterministic pseudo-random numbers: xoshiro128** (Blackman and Vigna, 2018), 128 bits of
 * state, period 2^128 - 1, seeded through splitmix32 so that nearby seeds give unrelated
 * streams. Not cryptographic; for simulation only.
 */
import { InvalidPathParameterError } from "./errors.ts";

export type Rng = {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number;
};

/** Seeds are non-negative safe integers, so they survive JSON and CLI arguments unchanged. */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidPathParameterError({
      field: "seed",
      problem: `is ${seed}, expected a whole number in [0, 2^53)`,
    });
  }
  const mix = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b1));
  return xoshiro128StarStar([mix(), mix(), mix(), mix()]);
}

/** The generator itself, from four raw 32-bit state words (exposed for reference vectors). */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): Rng {
  let [a, b, c, d] = state.map((x) => x >>> 0) as [number, number, number, number];
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point of xoshiro

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    nextUint32,
    nextFloat: () => ((nextUint32() >>> 5) * 2 ** 26 + (nextUint32() >>> 6)) / 2 ** 53,
  };
}

/** A seed for the `stream`-th independent sub-generator of `seed` (one per asset, per run...). */
export function deriveSeed(seed: number, stream: number): number {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x85ebca6b) ^ Math.floor(seed / 2 ** 32));
  return (mix() >>> 11) * 2 ** 32 + mix(); // 53 bits: always a safe integer
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32: a Weyl sequence through a 32-bit finaliser; good for expanding one seed word. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}
