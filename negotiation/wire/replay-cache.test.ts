import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { ReplayCacheFullError, ReplayError } from "./errors.ts";
import { createReplayCache, type ReplayKey } from "./replay-cache.ts";

const A = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf";
const nonce = (i: number) => `0x${i.toString(16).padStart(64, "0")}` as Hex;
const key = (i: number, over: Partial<ReplayKey> = {}): ReplayKey => ({
  from: A,
  sessionId: nonce(1000),
  seq: i,
  nonce: nonce(i),
  expiry: 1000 + i,
  ...over,
});

describe("replay cache", () => {
  it("check does not mutate; record does", () => {
    const c = createReplayCache();
    c.check(key(0), 0);
    c.check(key(0), 0);
    expect(c.size).toBe(0);
    c.record(key(0), 0);
    expect(() => c.check(key(0), 0)).toThrow(ReplayError);
  });

  it("forgets entries once their messages expired (bounded memory)", () => {
    const c = createReplayCache();
    for (let i = 0; i < 100; i++) {
      const k = key(i, { sessionId: nonce(5000 + i) });
      c.check(k, 0);
      c.record(k, 0);
    }
    expect(c.size).toBe(200);
    c.check(key(0, { nonce: nonce(999_999), sessionId: nonce(7777) }), 1050);
    expect(c.size).toBe(2 * 50); // expiries 1050..1099 are still live at 1050
    c.check(key(0, { nonce: nonce(999_999), sessionId: nonce(7777) }), 5000);
    expect(c.size).toBe(0);
  });

  it("keeps a session's last seq while any of its messages is live", () => {
    const c = createReplayCache();
    c.record(key(0, { expiry: 5000 }), 0);
    c.record(key(1, { expiry: 1500 }), 0);
    // At 2000 seq 1 expired but seq 0 (expiry 5000) is live: its session entry must stay.
    expect(() => c.check(key(1, { nonce: nonce(77), expiry: 6000 }), 2000)).toThrow(ReplayError);
  });

  it("refuses new entries when full instead of evicting live ones", () => {
    const c = createReplayCache({ maxEntries: 4 });
    c.record(key(0), 0);
    c.record(key(1), 0); // same session: 3 entries
    expect(() => c.check(key(2, { sessionId: nonce(9) }), 0)).toThrow(ReplayCacheFullError);
    c.check(key(2), 0); // same session: one more nonce fits
  });
});
