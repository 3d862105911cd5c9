import { describe, expect, it } from "vitest";
import { cascadeLabels } from "./cascade-labels.ts";
import { HOUR_MS, makeSeries } from "./series.ts";

const t0 = Date.UTC(2021, 4, 19, 0);
const market = (liq: Record<number, number>, hours = 80) =>
  makeSeries({
    file: "synthetic",
    layout: "aave-messari",
    knownAtMs: Array.from({ length: hours }, (_, h) => t0 + h * HOUR_MS),
    columns: { liquidations: Array.from({ length: hours }, (_, h) => liq[h] ?? 0) },
  });

describe("cascade labels", () => {
  it("labels hour t when liquidations over (t, t+24h] reach $5M, summed over markets", () => {
    // $3M at hour 30 in one market, $2M at hour 40 in the other: the window (t, t+24] holds both
    // for t in [16, 29]; hour 30 itself is excluded from t = 30's window.
    const l = cascadeLabels({
      markets: [market({ 30: 3e6 }), market({ 40: 2e6 })],
      fromMs: t0 + 10 * HOUR_MS,
      toMs: t0 + 40 * HOUR_MS,
    });
    const positive = Array.from(l.labels).flatMap((y, k) => (y ? [10 + k] : []));
    expect(positive).toEqual(Array.from({ length: 14 }, (_, k) => 16 + k));
    // The event is the hour the trailing 24 h sum first reaches $5M: hour 40.
    expect(l.eventsMs).toEqual([t0 + 40 * HOUR_MS]);
  });
  it("one hour of $5M: the 24 hours before it are positive, itself is not", () => {
    const l = cascadeLabels({
      markets: [market({ 50: 5e6 })],
      fromMs: t0 + 20 * HOUR_MS,
      toMs: t0 + 55 * HOUR_MS,
    });
    const positive = Array.from(l.labels).flatMap((y, k) => (y ? [20 + k] : []));
    expect(positive).toEqual(Array.from({ length: 24 }, (_, k) => 26 + k));
  });
  it("refuses hours whose label window the files do not cover", () => {
    expect(() => cascadeLabels({ markets: [market({})], fromMs: t0, toMs: t0 + 70 * HOUR_MS })).toThrow(
      /Aave files end/,
    );
  });
});
