import { describe, expect, it } from "vitest";
import { FEATURE_COLUMNS } from "./columns.ts";
import { labelFuture } from "./label-future.ts";
import type { Observations } from "./observe-protocols.ts";

/** One protocol over 10 one-hour steps, distressed from step 7 on, with a shortfall at step 8. */
function oneProtocol(): Observations {
  const steps = 10;
  const distressed = new Uint8Array(steps + 1);
  for (let t = 7; t <= steps; t++) distressed[t] = 1;
  const shortfallUsd = new Float64Array(steps + 1);
  shortfallUsd[8] = 5e6;
  return {
    steps,
    protocols: 1,
    features: FEATURE_COLUMNS.map(() => new Float32Array(steps + 1)),
    distressed,
    shortfallUsd,
  };
}

describe("labelFuture", () => {
  it("labels distress within each horizon, after the row, and not once it has happened", () => {
    const l = labelFuture(oneProtocol(), 1);
    const six = Array.from(l.event[0]!);
    // Steps 1..6 see step 7 within 6 h; step 0 is 7 h away; from step 7 it has happened.
    expect(six).toEqual([0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(l.event[1]!)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(l.distressedNow)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(l.hoursToEvent[0]).toBe(7);
    expect(l.hoursToEvent[6]).toBe(1);
  });

  it("marks censoring when the run ends before the horizon without an event", () => {
    const obs = oneProtocol();
    obs.distressed.fill(0);
    const l = labelFuture(obs, 1);
    // 6 h: rows from step 5 on cannot see 6 h ahead (the run ends at step 10).
    expect(Array.from(l.censored[0]!)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(l.censored[2]!).every((x) => x === 1)).toBe(true);
    expect(Number.isNaN(l.hoursToEvent[0]!)).toBe(true);
  });

  it("takes the largest shortfall in the next 72 h, excluding the row itself", () => {
    const l = labelFuture(oneProtocol(), 1);
    expect(l.shortfall72hUsd[0]).toBe(5e6);
    expect(l.shortfall72hUsd[7]).toBe(5e6);
    expect(l.shortfall72hUsd[8]).toBe(0);
  });

  it("uses the step length: 2-hour steps see 3 steps ahead in 6 h", () => {
    const l = labelFuture(oneProtocol(), 2);
    expect(Array.from(l.event[0]!)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
  });
});
