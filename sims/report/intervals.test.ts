import { describe, expect, it } from "vitest";
import { meanInterval, pairedDifference, sortedQuantile, wilsonShare } from "./intervals.ts";

describe("intervals", () => {
  it("Wilson: honest at 0 and 1, standard in between", () => {
    const all = wilsonShare(20, 20);
    expect(all.value).toBe(1);
    expect(all.hi).toBe(1);
    expect(all.lo).toBeCloseTo(0.8389, 3);
    const none = wilsonShare(0, 20);
    expect(none.lo).toBe(0);
    expect(none.hi).toBeCloseTo(0.1611, 3);
    const half = wilsonShare(10, 20);
    expect(half.lo).toBeCloseTo(0.2993, 3);
    expect(half.hi).toBeCloseTo(0.7007, 3);
    expect(Number.isNaN(wilsonShare(0, 0).value)).toBe(true);
  });

  it("mean interval: seeded, collapses for one value or a constant sample", () => {
    const xs = [1, 5, 2, 8, 3, 9, 4, 7];
    const a = meanInterval(xs);
    expect(a).toEqual(meanInterval(xs));
    expect(a.value).toBe(4.875);
    expect(a.lo).toBeLessThan(a.value);
    expect(a.hi).toBeGreaterThan(a.value);
    expect(meanInterval([3])).toEqual({ value: 3, lo: 3, hi: 3, n: 1 });
    expect(meanInterval([2, 2, 2])).toEqual({ value: 2, lo: 2, hi: 2, n: 3 });
  });

  it("paired difference: pairs by seed, leaves unpaired seeds out, knows identical runs", () => {
    const base = new Map([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    const other = new Map([
      [1, 7],
      [2, 17],
      [4, 99],
    ]);
    const d = pairedDifference(base, other);
    expect(d).toMatchObject({ n: 2, value: -3, lo: -3, hi: -3, baseline: 15, other: 12, identical: false });
    expect(pairedDifference(base, new Map(base)).identical).toBe(true);
  });

  it("quantiles of a sorted sample (type 7)", () => {
    expect(sortedQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(sortedQuantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8);
    expect(Number.isNaN(sortedQuantile([], 0.5))).toBe(true);
  });
});
