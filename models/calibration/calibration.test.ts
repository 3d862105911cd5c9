import { describe, expect, it } from "vitest";
import { createRng } from "../random.ts";
import { applyIsotonic, fitIsotonic } from "./isotonic.ts";
import { applyPlatt, fitPlatt, fitPlattIntercept, logit } from "./platt.ts";

describe("Platt scaling", () => {
  it("recovers a known distortion: labels drawn from sigmoid(2 logit(p) - 1)", () => {
    const rng = createRng(3);
    const p: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const q = 0.01 + 0.98 * rng.next();
      const truth = 1 / (1 + Math.exp(-(2 * logit(q) - 1)));
      p.push(q);
      y.push(rng.next() < truth ? 1 : 0);
    }
    const s = fitPlatt({ probabilities: p, labels: y });
    expect(s.a).toBeCloseTo(2, 1);
    expect(s.b).toBeCloseTo(-1, 1);
  });
  it("is the identity (a = 1, b = 0) on already calibrated scores, up to noise", () => {
    const rng = createRng(4);
    const p = Array.from({ length: 20000 }, () => 0.02 + 0.96 * rng.next());
    const y = p.map((q) => (rng.next() < q ? 1 : 0));
    const s = fitPlatt({ probabilities: p, labels: y });
    expect(Math.abs(s.a - 1)).toBeLessThan(0.1);
    expect(Math.abs(s.b)).toBeLessThan(0.1);
    expect(applyPlatt({ kind: "platt", a: 1, b: 0 }, [0.3])[0]).toBeCloseTo(0.3, 6);
  });
});

describe("intercept-only Platt", () => {
  it("moves the mean prediction to the observed rate and keeps the slope at 1", () => {
    // Predictions all 0.2, observed rate 0.05: b = logit(0.05) - logit(0.2).
    const p = new Array(100).fill(0.2);
    const y = Array.from({ length: 100 }, (_, i) => (i < 5 ? 1 : 0));
    const s = fitPlattIntercept({ probabilities: p, labels: y });
    expect(s.a).toBe(1);
    expect(s.b).toBeCloseTo(logit(0.05) - logit(0.2), 8);
    expect(applyPlatt(s, [0.2])[0]).toBeCloseTo(0.05, 8);
  });
});

describe("isotonic calibration", () => {
  it("pools adjacent violators: y = [1, 0, 1, 1] over increasing scores -> [0.5, 0.5, 1, 1]", () => {
    const c = fitIsotonic({ scores: [1, 2, 3, 4], labels: [1, 0, 1, 1] });
    expect(Array.from(applyIsotonic(c, [1, 2, 3, 4]))).toEqual([0.5, 0.5, 1, 1]);
    // Flat beyond the ends, linear between block edges.
    expect(Array.from(applyIsotonic(c, [0, 5, 2.5]))).toEqual([0.5, 1, 0.75]);
  });
  it("ties share one value and the fit is non-decreasing", () => {
    const c = fitIsotonic({ scores: [1, 1, 2, 2, 3], labels: [1, 0, 0, 0, 1] });
    const out = Array.from(applyIsotonic(c, [1, 2, 3]));
    // Blocks: s=1 mean .5, s=2 mean 0 -> pooled (.5*2 + 0*2)/4 = .25; s=3 -> 1.
    expect(out).toEqual([0.25, 0.25, 1]);
    for (let k = 1; k < out.length; k++) expect(out[k]!).toBeGreaterThanOrEqual(out[k - 1]!);
  });
});
