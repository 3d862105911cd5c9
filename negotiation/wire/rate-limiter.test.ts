import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limiter.ts";

describe("per-peer rate limiter", () => {
  it("allows a burst, then refills at the configured rate, per peer", () => {
    const rl = createRateLimiter({ perSecond: 10, burst: 3 });
    expect([1, 2, 3, 4].map(() => rl.take("0xA", 0))).toEqual([true, true, true, false]);
    // Another peer has its own bucket.
    expect(rl.take("0xB", 0)).toBe(true);
    // 100 ms at 10/s refills one token; addresses compare case-insensitively.
    expect(rl.take("0xa", 100)).toBe(true);
    expect(rl.take("0xA", 100)).toBe(false);
    // Refill never exceeds the burst.
    expect([1, 2, 3, 4].map(() => rl.take("0xA", 60_000))).toEqual([true, true, true, false]);
  });

  it("forgets the oldest peers beyond its bound", () => {
    const rl = createRateLimiter({ perSecond: 1, burst: 1 }, 2);
    expect(rl.take("p1", 0)).toBe(true);
    expect(rl.take("p2", 0)).toBe(true);
    expect(rl.take("p3", 0)).toBe(true); // evicts p1
    expect(rl.take("p1", 0)).toBe(true); // a fresh bucket again
  });

  it("refuses a nonsensical limit", () => {
    expect(() => createRateLimiter({ perSecond: 0, burst: 1 })).toThrow(RangeError);
  });
});
