import { describe, expect, it } from "vitest";
import { causalMedianFilter } from "./spike-filter.ts";

describe("causal spike filter", () => {
  it("removes an isolated aggregator spike (README: WETH 1067.6 among ~1370)", () => {
    const v = Float64Array.from([1370, 1372, 1369, 1067.6, 1371, 1373]);
    const f = causalMedianFilter(v);
    expect(Math.min(...f.slice(1))).toBeGreaterThan(1360);
  });
  it("lets a real level shift (a depeg) through after three points", () => {
    const v = Float64Array.from([1, 1, 1, 1, 1, 0.9, 0.9, 0.9, 0.9]);
    const f = Array.from(causalMedianFilter(v));
    expect(f.slice(5, 7)).toEqual([1, 1]);
    expect(f.slice(7)).toEqual([0.9, 0.9]);
  });
  it("is causal: a prefix filters the same as the prefix of the whole", () => {
    const v = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i) + (i % 7 === 0 ? 5 : 0));
    const whole = causalMedianFilter(v);
    for (const n of [1, 3, 10, 33])
      expect(Array.from(causalMedianFilter(v.slice(0, n)))).toEqual(Array.from(whole.slice(0, n)));
  });
});
