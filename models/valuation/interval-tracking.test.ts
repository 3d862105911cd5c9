/**
 * The loss interval's tracking step: chosen on nested training streams (never the held-out
 * families), the step that brings each family's stream closest to 90%; a stream is a family's
 * seeds in turn, each loan known to the lender only once it resolved.
 */
import { describe, expect, it } from "vitest";
import { createRng } from "../random.ts";
import { chooseTrackingRate, runTracking, streamTimes, type TrackingStream } from "./interval-tracking.ts";

/** A family whose realised losses sit at `level` above the model's point 0.1 with spread 0.1:
 *  upper(q) = 0.1 + 0.1 q, so a loan is covered when its score (loss - 0.1) / 0.1 is <= q. */
function family(name: string, seed: number, level: number, n: number, initial: number): TrackingStream {
  const rng = createRng(seed);
  return {
    family: name,
    initial,
    loans: Array.from({ length: n }, (_, i) => {
      const loss = Math.min(1, Math.max(0, 0.1 + 0.1 * (level + 2 * (rng.next() - 0.5))));
      const upper = (q: number) => Math.min(1, Math.max(0, 0.1 + 0.1 * q));
      return {
        ...streamTimes({ seed: 1 + Math.floor(i / 20), step: i % 20, resolvedStep: (i % 20) + 3 }),
        covers: (q: number) => loss <= upper(q),
        width: upper,
      };
    }),
  };
}

/** Two calm families and one whose losses sit 3 spreads higher: the others' quantile covers almost
 *  none of its loans. */
const oneUnlike = () => [
  family("calm1", 1, 0, 400, 0.8),
  family("calm2", 2, 0, 400, 0.8),
  family("crash", 3, 3, 400, 0.8),
];

describe("interval tracking", () => {
  it("orders a family's loans seed after seed, each known when it resolves", () => {
    const a = streamTimes({ seed: 1, step: 90, resolvedStep: 200 });
    const b = streamTimes({ seed: 2, step: 0, resolvedStep: 5 });
    expect(a.issuedAt).toBeLessThan(a.resolvedAt);
    expect(a.resolvedAt).toBeLessThan(b.issuedAt);
    expect(() => streamTimes({ seed: 1, step: 10, resolvedStep: 9 })).toThrow(/resolved at step 9/);
  });

  it("changes little when the families are alike: every step covers about 90%, at about the same width", () => {
    // Scores uniform on [-1, 1]: the 90% quantile is 0.8, and every family starts there.
    const streams = [1, 2, 3, 4].map((k) => family(`f${k}`, k, 0, 400, 0.8));
    const choice = chooseTrackingRate(streams, 0.1);
    for (const n of choice.nested) expect(Math.abs(n.mean - 0.9)).toBeLessThan(0.03);
    const fixed = runTracking(streams[0]!, 0, 0.1).meanWidth;
    expect(Math.abs(runTracking(streams[0]!, choice.eta, 0.1).meanWidth - fixed) / fixed).toBeLessThan(0.1);
  });

  it("tracks when a family is unlike the others, and the tracked stream covers near 90%", () => {
    const streams = oneUnlike();
    const choice = chooseTrackingRate(streams, 0.1);
    expect(choice.eta).toBeGreaterThan(0);
    const crash = runTracking(streams[2]!, choice.eta, 0.1);
    expect(runTracking(streams[2]!, 0, 0.1).coverage).toBeLessThan(0.05);
    expect(crash.coverage).toBeGreaterThan(0.8);
    expect(crash.meanWidth).toBeGreaterThan(runTracking(streams[2]!, 0, 0.1).meanWidth);
  });

  it("takes the smallest step on target, not the fastest", () => {
    const streams = oneUnlike();
    const choice = chooseTrackingRate(streams, 0.1);
    const chosen = choice.nested.find((n) => n.eta === choice.eta)!;
    expect(chosen.gap).toBeLessThanOrEqual(0.02);
    for (const n of choice.nested) if (n.eta < choice.eta) expect(n.gap).toBeGreaterThan(0.02);
  });

  it("refuses to choose without a training family", () => {
    expect(() => chooseTrackingRate([], 0.1)).toThrow(/no training family/);
  });
});
