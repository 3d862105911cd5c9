import { describe, expect, it } from "vitest";
import { createRng } from "./prng.ts";
import { stationaryBootstrapIndices } from "./stationary-bootstrap.ts";

const segments = [
  { start: 0, length: 48 },
  { start: 48, length: 192 },
  { start: 240, length: 10 },
];

describe("stationaryBootstrapIndices", () => {
  it("reproduces per seed and differs across seeds", () => {
    const draw = (seed: number) =>
      stationaryBootstrapIndices({ segments, steps: 500, meanBlock: 12, rng: createRng(seed) });
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("runs blocks within a segment, wrapping at its end, never into the next window", () => {
    const idx = stationaryBootstrapIndices({ segments, steps: 100_000, meanBlock: 20, rng: createRng(3) });
    const segmentOf = (r: number) => segments.findIndex((s) => r >= s.start && r < s.start + s.length);
    let continued = 0;
    let blocks = 1;
    let outside = 0;
    for (let k = 1; k < idx.length; k++) {
      const a = idx[k - 1]!;
      const b = idx[k]!;
      const s = segments[segmentOf(a)]!;
      const next = s.start + ((a - s.start + 1) % s.length);
      if (b === next) continued++;
      else blocks++;
      if (b < 0 || b >= 250) outside++;
    }
    expect(outside).toBe(0);
    // New blocks start with probability 1/20 (a new start can land on the next row by chance,
    // 1 in 250, which hides it): mean block length close to 20.
    expect(idx.length / blocks).toBeGreaterThan(19);
    expect(idx.length / blocks).toBeLessThan(21.5);
    expect(continued).toBeGreaterThan(0);
  });

  it("draws every row about equally often (stationarity of the resample)", () => {
    const idx = stationaryBootstrapIndices({ segments, steps: 500_000, meanBlock: 8, rng: createRng(4) });
    const counts = new Float64Array(250);
    for (const r of idx) counts[r]!++;
    const expected = idx.length / 250;
    for (const c of counts) expect(Math.abs(c / expected - 1)).toBeLessThan(0.2);
  });

  it("names bad parameters", () => {
    expect(() =>
      stationaryBootstrapIndices({ segments: [], steps: 1, meanBlock: 2, rng: createRng(1) }),
    ).toThrow(/segments: is empty/);
    expect(() =>
      stationaryBootstrapIndices({ segments, steps: 1, meanBlock: 0.5, rng: createRng(1) }),
    ).toThrow(/meanBlock: is 0.5/);
  });
});
