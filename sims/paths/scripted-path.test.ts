import { describe, expect, it } from "vitest";
import { troughFromStart } from "./sample-stats.ts";
import { scriptedPath } from "./scripted-path.ts";

describe("scriptedPath", () => {
  it("draws ETH -43% within a day, then a partial rebound (hourly steps)", () => {
    const path = scriptedPath({
      keyframes: [
        { t: 0, price: 194 },
        { t: 24, price: 194 * 0.57 },
        { t: 48, price: 130 },
      ],
      steps: 72,
      dt: 1,
    });
    expect(path.length).toBe(73);
    expect(path[0]).toBe(194);
    expect(path[12]).toBeCloseTo((194 + 194 * 0.57) / 2, 10); // linear in between
    expect(path[24]).toBeCloseTo(110.58, 10);
    expect(troughFromStart(path)).toBeCloseTo(-0.43, 10);
    expect(path[72]).toBe(130); // holds after the last keyframe
  });

  it("holds before the first keyframe and jumps at repeated times", () => {
    const path = scriptedPath({
      keyframes: [
        { t: 2, price: 1 },
        { t: 4, price: 1 },
        { t: 4, price: 0.5 },
      ],
      steps: 6,
      dt: 1,
    });
    expect([...path]).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5]);
  });

  it("samples between keyframes when steps are coarser", () => {
    const path = scriptedPath({
      keyframes: [
        { t: 0, price: 10 },
        { t: 1, price: 0 },
        { t: 10, price: 9 },
      ],
      steps: 2,
      dt: 5,
    });
    expect([...path]).toEqual([10, 4, 9]);
  });

  it("names the offending keyframe", () => {
    expect(() =>
      scriptedPath({
        keyframes: [
          { t: 5, price: 1 },
          { t: 3, price: 1 },
        ],
        steps: 1,
        dt: 1,
      }),
    ).toThrow(/keyframes\[1\].t: is 3, before the previous keyframe at 5/);
    expect(() => scriptedPath({ keyframes: [{ t: 0, price: -1 }], steps: 1, dt: 1 })).toThrow(
      /keyframes\[0\].price: is -1/,
    );
    expect(() => scriptedPath({ keyframes: [], steps: 1, dt: 1 })).toThrow(/keyframes: is empty/);
  });
});
