import { describe, expect, it } from "vitest";
import { nelderMead } from "./nelder-mead.ts";

describe("nelderMead", () => {
  it("finds the minimum of Rosenbrock's valley", () => {
    const rosenbrock = (x: Float64Array) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;
    const r = nelderMead({ f: rosenbrock, x0: [-1.2, 1], tolerance: 1e-14 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });

  it("walks away from points outside the domain (NaN or Infinity)", () => {
    // Minimum of (x - 2)^2 + (y + 1)^2 with x > 0 enforced by returning NaN.
    const f = (x: Float64Array) => (x[0]! <= 0 ? Number.NaN : (x[0]! - 2) ** 2 + (x[1]! + 1) ** 2);
    const r = nelderMead({ f, x0: [0.1, 0], step: 1, tolerance: 1e-14 });
    expect(r.x[0]).toBeCloseTo(2, 4);
    expect(r.x[1]).toBeCloseTo(-1, 4);
  });

  it("stops at the iteration cap and says it did not converge", () => {
    const r = nelderMead({ f: (x) => x[0]! ** 2 + x[1]! ** 2, x0: [5, 5], maxIterations: 3 });
    expect(r.iterations).toBe(3);
    expect(r.converged).toBe(false);
  });
});
