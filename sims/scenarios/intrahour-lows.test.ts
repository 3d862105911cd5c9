/** withIntrahourLows: the hour's low goes to the step nearest mid-hour, only where it is lower. */
import { describe, expect, it } from "vitest";
import { withIntrahourLows } from "./market-price-paths.ts";

const H = 3600;

describe("withIntrahourLows", () => {
  it("lowers the mid-hour step to the candle low, leaves closes and higher lows alone", () => {
    const times = Float64Array.from([0, H, 2 * H]);
    const lows = Float64Array.from([Number.NaN, 90, 103]);
    const path = Float64Array.from([100, 100, 100, 102, 104]);
    withIntrahourLows(path, times, lows, Float64Array.from([0, 0.5, 1, 1.5, 2]));
    expect([...path]).toEqual([100, 90, 100, 102, 104]);
  });

  it("picks the step nearest mid-hour on a quarter-hour grid and does nothing on an hourly one", () => {
    const times = Float64Array.from([0, H]);
    const lows = Float64Array.from([Number.NaN, 50]);
    const quarter = Float64Array.from([100, 100, 100, 100, 100]);
    withIntrahourLows(quarter, times, lows, Float64Array.from([0, 0.25, 0.5, 0.75, 1]));
    expect([...quarter]).toEqual([100, 100, 50, 100, 100]);
    const hourly = Float64Array.from([100, 100]);
    withIntrahourLows(hourly, times, lows, Float64Array.from([0, 1]));
    expect([...hourly]).toEqual([100, 100]);
  });
});
