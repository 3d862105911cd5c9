/**
 * Quantile tracking under shift: where the calibration quantile is wrong for a new regime (static
 * split conformal covers far from 90%), the tracked quantile brings long-run coverage to within
 * its bound of 90%, with feedback that arrives late; eta 0 is exactly split conformal; no item's
 * own outcome shapes its interval.
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../random.ts";
import { createQuantileTracker, prequentialCoverage } from "./quantile-tracking.ts";

function gaussian(rng: ReturnType<typeof createRng>): number {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Scores of a regime the calibration did not see: N(shift, scale), one per hour, each outcome
 *  known `delay` hours after its interval is issued. */
function shiftedStream(seed: number, n: number, shift: number, scale: number, delay: number) {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    issuedAt: i,
    resolvedAt: i + delay,
    score: shift + scale * gaussian(rng),
  }));
}

const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
const covers = (item: { score: number }, q: number) => item.score <= q;
// The 90% quantile of the calibration regime, N(0, 1).
const Q90 = 1.2815515655446004;

describe("quantile tracking", () => {
  it("moves by eta (1 - alpha) on a miss and eta alpha on a cover", () => {
    const t = createQuantileTracker({ initial: 1, alpha: 0.1, eta: 0.5 });
    t.update(true);
    expect(t.quantile).toBeCloseTo(1.45, 12);
    t.update(false);
    expect(t.quantile).toBeCloseTo(1.4, 12);
    expect([t.outcomes, t.misses]).toEqual([2, 1]);
  });

  it("brings coverage to 90% on a regime the calibration under-covers, with late feedback", () => {
    const stream = shiftedStream(11, 4000, 1.5, 2, 48);
    const fixed = prequentialCoverage(stream, { initial: Q90, alpha: 0.1, eta: 0 }, covers);
    const tracked = prequentialCoverage(stream, { initial: Q90, alpha: 0.1, eta: 0.1 }, covers);
    expect(fixed.coverage).toBeLessThan(0.6); // what static split conformal gives here
    // Bound (B + eta) / (eta T) with B about 4.1 (the regime's quantile): 0.011, plus the delay's
    // 48 outcomes in flight: 0.012.
    expect(Math.abs(tracked.coverage - 0.9)).toBeLessThan(0.025);
    expect(mean(tracked.quantiles)).toBeGreaterThan(Q90 + 1);
  });

  it("narrows intervals on a regime the calibration over-covers", () => {
    const stream = shiftedStream(12, 4000, -1, 0.5, 24);
    const fixed = prequentialCoverage(stream, { initial: Q90, alpha: 0.1, eta: 0 }, covers);
    const tracked = prequentialCoverage(stream, { initial: Q90, alpha: 0.1, eta: 0.1 }, covers);
    expect(fixed.coverage).toBeGreaterThan(0.99);
    expect(Math.abs(tracked.coverage - 0.9)).toBeLessThan(0.025);
    // Late feedback makes the quantile overshoot and swing; on average it sits below the start.
    expect(mean(tracked.quantiles)).toBeLessThan(Q90 - 0.5);
  });

  it("with eta 0 is split conformal: every interval uses the initial quantile", () => {
    const stream = shiftedStream(13, 200, 0, 1, 5);
    const r = prequentialCoverage(stream, { initial: Q90, alpha: 0.1, eta: 0 }, covers);
    expect([...r.quantiles].every((q) => q === Q90)).toBe(true);
    expect(r.coverage).toBe(stream.filter((s) => s.score <= Q90).length / stream.length);
  });

  it("never lets an item's own outcome, or a later one, shape its interval", () => {
    const stream = shiftedStream(14, 300, 1, 1.5, 10);
    const base = prequentialCoverage(stream, { initial: Q90, alpha: 0.1, eta: 0.2 }, covers);
    // Change the outcome of item 150: intervals issued before it resolves must not change.
    const changed = stream.map((s, i) => (i === 150 ? { ...s, score: -s.score + 10 } : s));
    const after = prequentialCoverage(changed, { initial: Q90, alpha: 0.1, eta: 0.2 }, covers);
    for (let i = 0; i < stream.length; i++)
      if (stream[i]!.issuedAt < stream[150]!.resolvedAt) expect(after.quantiles[i]).toBe(base.quantiles[i]);
    // An outcome known at the same time as a decision is used by it.
    const at = prequentialCoverage(
      [
        { issuedAt: 0, resolvedAt: 1, score: 9 },
        { issuedAt: 1, resolvedAt: 1, score: 0 },
      ],
      { initial: 1, alpha: 0.1, eta: 1 },
      covers,
    );
    expect(at.quantiles[1]).toBeCloseTo(1.9, 12);
  });

  it("refuses bad parameters and items that resolve before they are issued", () => {
    expect(() => createQuantileTracker({ initial: 1, alpha: 0, eta: 0.1 })).toThrow(/alpha/);
    expect(() => createQuantileTracker({ initial: 1, alpha: 0.1, eta: -1 })).toThrow(/eta/);
    expect(() => createQuantileTracker({ initial: Number.NaN, alpha: 0.1, eta: 0.1 })).toThrow(/initial/);
    expect(() =>
      prequentialCoverage([{ issuedAt: 2, resolvedAt: 1 }], { initial: 1, alpha: 0.1, eta: 0.1 }, () => true),
    ).toThrow(/item 0 resolves/);
  });
});
