import { describe, expect, it } from "vitest";
import { causalHampel, lastObservation } from "./causal-filters.ts";

describe("causalHampel", () => {
  it("removes an isolated aggregator spike and flags it", () => {
    const values = Float64Array.from([1, 1.001, 0.999, 1.08, 1.0, 1.001]);
    const r = causalHampel({ values, window: 3, threshold: 0.015 });
    expect(r.values[3]).toBe(1.001); // the median of 1.001, 0.999 and 1.08
    expect([...r.replaced]).toEqual([0, 0, 0, 1, 0, 0]);
    expect(r.values[4]).toBe(1.0);
  });

  it("accepts a genuine jump once a second point confirms it (one point late)", () => {
    const values = Float64Array.from([1, 1, 1, 0.9, 0.9, 0.9]);
    const r = causalHampel({ values, window: 3, threshold: 0.015 });
    expect([...r.values]).toEqual([1, 1, 1, 1, 0.9, 0.9]);
    expect([...r.replaced]).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it("is causal: later points never change earlier outputs", () => {
    const values = Float64Array.from(
      { length: 200 },
      (_, k) => 1 + 0.02 * Math.sin(k * 1.7) * (k % 7 === 0 ? 3 : 1),
    );
    const full = causalHampel({ values, window: 5, threshold: 0.015 });
    for (const cut of [1, 10, 57, 199]) {
      const head = causalHampel({ values: values.slice(0, cut), window: 5, threshold: 0.015 });
      expect([...head.values]).toEqual([...full.values.slice(0, cut)]);
      expect([...head.replaced]).toEqual([...full.replaced.slice(0, cut)]);
    }
  });
});

describe("lastObservation", () => {
  const times = Float64Array.from([0, 3000, 3700, 9000, 20000]);
  const values = Float64Array.from([1, 2, 3, 4, 5]);

  it("takes the last point at or before each grid time and flags old ones", () => {
    const grid = Float64Array.from([-1, 0, 3600, 7200, 10800, 18000]);
    const r = lastObservation({ times, values, grid, maxAgeSeconds: 7200 });
    expect([...r.values]).toEqual([Number.NaN, 1, 2, 3, 4, 4]);
    expect([...r.source]).toEqual([-1, 0, 1, 2, 3, 3]);
    expect([...r.stale]).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it("is causal: a point after a grid time never changes its value", () => {
    const grid = Float64Array.from([0, 3600, 7200, 10800]);
    const full = lastObservation({ times, values, grid, maxAgeSeconds: 7200 });
    const cut = lastObservation({
      times: times.slice(0, 3),
      values: values.slice(0, 3),
      grid: grid.slice(0, 3),
      maxAgeSeconds: 7200,
    });
    expect([...cut.values]).toEqual([...full.values.slice(0, 3)]);
  });
});
