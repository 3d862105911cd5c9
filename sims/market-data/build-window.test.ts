/** Candle lows shipped beside a window's closes: the highest of the venues' lows, at the hour the candle closed. */
import { describe, expect, it } from "vitest";
import { candleLows } from "./build-window.ts";
import type { Candles } from "./read-raw.ts";

const H = 3600;
const candles = (opens: number[], lows: number[]): Candles => ({
  time: Float64Array.from(opens),
  open: Float64Array.from(lows, () => 100),
  high: Float64Array.from(lows, () => 110),
  low: Float64Array.from(lows),
  close: Float64Array.from(lows, () => 100),
});

describe("candleLows", () => {
  it("puts each candle's low at its close, the highest over venues, and flags an hour a venue misses", () => {
    const a = candles([0, H, 2 * H], [90, 80, 95]);
    const b = candles([0, 2 * H], [92, 70]);
    const grid = Float64Array.from([0, H / 2, H, 2 * H, 3 * H]);
    const c = candleLows([a, b], grid);
    expect([...c.values].map((v) => (Number.isNaN(v) ? null : v))).toEqual([null, null, 92, 80, 95]);
    expect(c.flags).toEqual(["g", "", "", "g", ""]);
  });
});
