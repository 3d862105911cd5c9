import { describe, expect, it } from "vitest";
import { createGaussian } from "./gaussian.ts";
import { fitPegAr1, pegLevels, pegResiduals } from "./peg-ar1.ts";
import { createRng } from "./prng.ts";

describe("peg AR(1)", () => {
  it("recovers phi and the innovation scale from a simulated depeg", () => {
    const gaussian = createGaussian(createRng(7));
    const innovations = Float64Array.from({ length: 20_000 }, () => 0.002 * gaussian());
    const x = pegLevels({ x0: -0.1, phi: 0.97, innovations, maxLogDeviation: Number.POSITIVE_INFINITY });
    const fit = fitPegAr1({ segments: [x] });
    expect(fit.phi).toBeCloseTo(0.97, 2);
    expect(fit.residualStd).toBeCloseTo(0.002, 4);
  });

  it("rebuilds the levels exactly from its own residuals when the cap does not bind", () => {
    const x = Float64Array.from([-0.01, -0.05, -0.12, -0.1, -0.04, -0.01]);
    const phi = fitPegAr1({ segments: [x] }).phi;
    const rebuilt = pegLevels({ x0: x[0]!, phi, innovations: pegResiduals(x, phi), maxLogDeviation: 0 });
    for (let t = 0; t < x.length; t++) expect(rebuilt[t]).toBeCloseTo(x[t]!, 14);
  });

  it("never lets the price above its cap: arbitrage mints at the anchor", () => {
    const up = Float64Array.from({ length: 10 }, () => 0.05);
    const x = pegLevels({ x0: 0, phi: 1, innovations: up, maxLogDeviation: Math.log(1.002) });
    expect(Math.max(...x)).toBeCloseTo(Math.log(1.002), 15);
  });

  it("keeps phi in [0, 1] and treats a series that never moved as a random walk", () => {
    expect(fitPegAr1({ segments: [Float64Array.from([-0.01, -0.02, -0.04, -0.08])] }).phi).toBe(1);
    expect(fitPegAr1({ segments: [new Float64Array(5)] }).phi).toBe(1);
    expect(fitPegAr1({ segments: [Float64Array.from([0.01, -0.01, 0.01, -0.01])] }).phi).toBe(0);
  });
});
