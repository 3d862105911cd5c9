import { describe, expect, it } from "vitest";
import { mean, quantile, summarize } from "./statistics.ts";

describe("statistics", () => {
  it("interpolates quantiles between order statistics", () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12);
    expect(quantile([10], 0.95)).toBe(10);
    expect(mean([1, 2, 3])).toBe(2);
  });

  it("brackets the mean and the 95th percentile with seeded bootstrap intervals", () => {
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const s = summarize(xs, { seed: 5 });
    expect(s.mean.value).toBe(99.5);
    expect(s.mean.lo).toBeLessThan(99.5);
    expect(s.mean.hi).toBeGreaterThan(99.5);
    // Standard error of the mean is about 57.9 / sqrt(200) = 4.1: the interval is about +-8.
    expect(s.mean.hi - s.mean.lo).toBeGreaterThan(12);
    expect(s.mean.hi - s.mean.lo).toBeLessThan(20);
    expect(s.p95.value).toBeCloseTo(189.05, 6);
    expect(summarize(xs, { seed: 5 })).toEqual(s);
  });

  it("collapses to the value with a single run", () => {
    expect(summarize([7])).toMatchObject({
      n: 1,
      mean: { value: 7, lo: 7, hi: 7 },
      p95: { value: 7, lo: 7, hi: 7 },
    });
  });
});
