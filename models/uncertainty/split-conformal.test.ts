/**
 * The coverage guarantee on synthetic data: over many independent calibration/test draws the
 * average coverage of 90% intervals lies in [0.90, 0.90 + 1/(n+1)] up to Monte Carlo error,
 * for a wrong model (biased, misspecified) and with heteroscedastic noise (normalised scores).
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../random.ts";
import { conformalQuantile, fitSplitConformal } from "./split-conformal.ts";

function gaussian(rng: ReturnType<typeof createRng>): number {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

describe("split conformal", () => {
  it("quantile is the ceil((n+1)(1-alpha))-th smallest score", () => {
    // n = 9, alpha = 0.1 -> k = ceil(10 * 0.9) = 9 -> the largest.
    expect(conformalQuantile({ scores: [9, 1, 8, 2, 7, 3, 6, 4, 5], alpha: 0.1 })).toBe(9);
    // n = 9, alpha = 0.2 -> k = 8.
    expect(conformalQuantile({ scores: [9, 1, 8, 2, 7, 3, 6, 4, 5], alpha: 0.2 })).toBe(8);
    // n = 5, alpha = 0.1 -> k = 6 > n: no finite interval has the guarantee.
    expect(conformalQuantile({ scores: [1, 2, 3, 4, 5], alpha: 0.1 })).toBe(Number.POSITIVE_INFINITY);
  });

  it("covers 90% on average with a biased, misspecified model (absolute residuals)", () => {
    const rng = createRng(7);
    const n = 99; // guarantee: [0.90, 0.91]
    let covered = 0;
    let total = 0;
    for (let trial = 0; trial < 400; trial++) {
      const draw = () => {
        const x = rng.next() * 4 - 2;
        return { x, y: Math.sin(2 * x) + 0.5 * x * x + 0.3 * gaussian(rng) };
      };
      const model = (x: number) => 0.8 * x + 0.2; // wrong on purpose
      const cal = Array.from({ length: n }, draw);
      const c = fitSplitConformal({
        predictions: cal.map((d) => model(d.x)),
        targets: cal.map((d) => d.y),
        alpha: 0.1,
      });
      for (let t = 0; t < 25; t++) {
        const d = draw();
        const [lo, hi] = c.interval(model(d.x));
        covered += d.y >= lo && d.y <= hi ? 1 : 0;
        total++;
      }
    }
    const coverage = covered / total; // 10,000 test points: MC sd ~ 0.003
    expect(coverage).toBeGreaterThan(0.9 - 0.01);
    expect(coverage).toBeLessThan(0.91 + 0.01);
  });

  it("normalised scores keep coverage under heteroscedastic noise and narrow the quiet intervals", () => {
    const rng = createRng(11);
    const n = 199;
    let covered = 0;
    let total = 0;
    let widthQuiet = 0;
    let widthLoud = 0;
    for (let trial = 0; trial < 200; trial++) {
      const draw = () => {
        const x = rng.next();
        const sd = 0.05 + x; // noise grows with x
        return { x, sd, y: 2 * x + sd * gaussian(rng) };
      };
      const cal = Array.from({ length: n }, draw);
      const c = fitSplitConformal({
        predictions: cal.map((d) => 2 * d.x),
        targets: cal.map((d) => d.y),
        spreads: cal.map((d) => d.sd),
        alpha: 0.1,
      });
      for (let t = 0; t < 50; t++) {
        const d = draw();
        const [lo, hi] = c.interval(2 * d.x, d.sd);
        covered += d.y >= lo && d.y <= hi ? 1 : 0;
        total++;
        if (d.x < 0.2) widthQuiet += hi - lo;
        else if (d.x > 0.8) widthLoud += hi - lo;
      }
    }
    expect(covered / total).toBeGreaterThan(0.89);
    expect(covered / total).toBeLessThan(0.915);
    expect(widthQuiet).toBeLessThan(widthLoud / 3);
  });

  it("refuses a bad alpha, an empty set and non-positive spreads", () => {
    expect(() => conformalQuantile({ scores: [1], alpha: 0 })).toThrow(/alpha/);
    expect(() => conformalQuantile({ scores: [], alpha: 0.1 })).toThrow(/empty/);
    expect(() => fitSplitConformal({ predictions: [1], targets: [1], spreads: [0], alpha: 0.1 })).toThrow(
      /spread 0/,
    );
  });
});
