import { describe, expect, it } from "vitest";
import { createGaussian } from "./gaussian.ts";
import { createRng, deriveSeed, xoshiro128StarStar } from "./prng.ts";
import { mean, variance } from "./sample-stats.ts";

describe("xoshiro128**", () => {
  it("matches the reference sequence for state (1, 2, 3, 4)", () => {
    const rng = xoshiro128StarStar([1, 2, 3, 4]);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([
      11520, 0, 5927040, 70819200,
    ]);
  });
});

describe("createRng", () => {
  it("repeats the same stream for the same seed and diverges for another", () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40)).not.toEqual(draw(0)); // high bits of the seed count too
  });

  it("draws uniform floats in [0, 1)", () => {
    const rng = createRng(7);
    const xs = Float64Array.from({ length: 200_000 }, () => rng.nextFloat());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Uniform: mean 1/2 (sd 0.00065 here), variance 1/12.
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(0.002);
  });

  it("rejects seeds that JSON or a CLI would mangle", () => {
    expect(() => createRng(-1)).toThrow(/seed: is -1/);
    expect(() => createRng(1.5)).toThrow(/seed: is 1.5/);
    expect(() => createRng(2 ** 53)).toThrow(/seed/);
  });

  it("derives distinct safe sub-seeds per stream", () => {
    const seeds = Array.from({ length: 1000 }, (_, k) => deriveSeed(123, k));
    expect(new Set(seeds).size).toBe(1000);
    for (const s of seeds) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
    expect(deriveSeed(123, 5)).toBe(deriveSeed(123, 5));
    expect(deriveSeed(124, 5)).not.toBe(deriveSeed(123, 5));
  });
});

describe("createGaussian", () => {
  it("has mean 0, variance 1 and normal tails", () => {
    const next = createGaussian(createRng(11));
    const z = Float64Array.from({ length: 200_000 }, next);
    expect(Math.abs(mean(z))).toBeLessThan(0.012); // 5 standard errors
    expect(Math.abs(variance(z) - 1)).toBeLessThan(0.016);
    const beyond2 = z.filter((x) => Math.abs(x) > 2).length / z.length;
    expect(Math.abs(beyond2 - 0.0455)).toBeLessThan(0.003);
  });
});
