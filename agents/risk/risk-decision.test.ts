import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { approvesLevel, proposedLevel, DEFAULT_ALERT_THRESHOLDS as t } from "./alert-decision.ts";
import { AlertTally } from "./alert-tally.ts";
import { toEstimatePpm } from "./contagion-detector.ts";
import { createPriceWindow, drawdownBps, observePrice, volatilityBps } from "./risk-features.ts";
import { createRuleDetector } from "./rule-detector.ts";

const calm = { coverBps: 30_000, volatilityBps: 3_000, drawdownBps: 100, neighbourStressBps: 0 };
const crisis = { coverBps: 8_000, volatilityBps: 25_000, drawdownBps: 4_000, neighbourStressBps: 6_000 };

describe("rule detector", () => {
  const d = createRuleDetector();
  it("is low in calm, high in crisis, and monotone in every indicator", () => {
    const at24 = (f: typeof calm) => d.estimate(f).find((e) => e.horizonHours === 24)!.probability;
    expect(at24(calm)).toBeLessThan(0.02);
    expect(at24(crisis)).toBeGreaterThan(0.95);
    for (const k of ["volatilityBps", "drawdownBps", "neighbourStressBps"] as const)
      expect(at24({ ...calm, [k]: crisis[k] })).toBeGreaterThan(at24(calm));
    expect(at24({ ...calm, coverBps: 8_000 })).toBeGreaterThan(at24(calm));
  });
  it("widens its band when indicators disagree, and longer horizons are likelier", () => {
    const split = toEstimatePpm(d.estimate({ ...calm, drawdownBps: 4_000 })[1]!);
    const agreed = toEstimatePpm(d.estimate(calm)[1]!);
    expect(split.highPpm - split.lowPpm).toBeGreaterThan(agreed.highPpm - agreed.lowPpm);
    const [h6, h24, h72] = d.estimate(crisis);
    expect(h6!.probability).toBeLessThan(h24!.probability);
    expect(h24!.probability).toBeLessThan(h72!.probability);
  });
});

describe("features are causal", () => {
  it("adding later prices never changes what earlier prefixes gave", () => {
    const prices = [100, 101, 99, 97, 90, 85, 88, 70];
    const upTo = (n: number) => {
      const w = createPriceWindow();
      for (const [i, p] of prices.slice(0, n).entries()) observePrice(w, 3600 * i, BigInt(p * 1e8));
      return [volatilityBps(w), drawdownBps(w)];
    };
    const early = upTo(5);
    expect(upTo(5)).toEqual(early);
    expect(upTo(8)).not.toEqual(early);
    expect(upTo(5)[1]).toBe(1089); // (101 - 90) / 101
  });
});

describe("alert decisions", () => {
  it("uncertainty makes a proposer cautious and a voter willing", () => {
    const sure = { horizonHours: 24, probabilityPpm: 520_000, lowPpm: 510_000, highPpm: 530_000 };
    const unsure = { horizonHours: 24, probabilityPpm: 520_000, lowPpm: 100_000, highPpm: 900_000 };
    expect(proposedLevel(sure, t)).toBe(2);
    expect(proposedLevel(unsure, t)).toBe(1);
    expect(approvesLevel(sure, 3, t)).toBe(false);
    expect(approvesLevel(unsure, 3, t)).toBe(true);
    // Hysteresis: a view that would not propose level 1 still holds it.
    const fading = { horizonHours: 24, probabilityPpm: 250_000, lowPpm: 250_000, highPpm: 250_000 };
    expect(proposedLevel(fading, t)).toBe(0);
    expect(approvesLevel(fading, 1, t)).toBe(true);
  });
});

describe("alert tally", () => {
  const a = "0x00000000000000000000000000000000000000a1" as Address;
  const b = "0x00000000000000000000000000000000000000b2" as Address;
  const c = "0x00000000000000000000000000000000000000c3" as Address;
  const outsider = "0x00000000000000000000000000000000000000ff" as Address;
  const sig = `0x${"11".repeat(65)}` as Hex;
  const id = `0x${"ab".repeat(32)}` as Hex;
  const alert = { level: 2, evidenceHash: id, issuedAt: 100n, expiresAt: 200n };
  const tally = () => new AlertTally({ isRegistered: (x) => [a, b, c].includes(x), quorum: 2 });

  it("holds only at a quorum of distinct registered approvals", () => {
    const t2 = tally();
    t2.propose({ id, alert, proposer: a }, sig);
    expect(t2.status(id)!.held).toBe(false);
    expect(t2.vote(id, outsider, { approve: true, signature: sig })).toBe(false);
    t2.vote(id, a, { approve: true, signature: sig });
    expect(t2.status(id)!.held).toBe(false);
    t2.vote(id, c, { approve: false });
    expect(t2.status(id)).toMatchObject({ held: false, rejections: 1 });
    t2.vote(id, b, { approve: true, signature: sig });
    expect(t2.status(id)!.approvals.map((x) => x.signer)).toEqual([a, b.toLowerCase()]);
    expect(t2.status(id)!.held).toBe(true);
  });

  it("a later rejection withdraws an approval; votes before their proposal count; expiry forgets", () => {
    const t2 = tally();
    t2.vote(id, b, { approve: true, signature: sig });
    t2.propose({ id, alert, proposer: a }, sig);
    expect(t2.status(id)!.held).toBe(true);
    t2.vote(id, b, { approve: false });
    expect(t2.status(id)!.held).toBe(false);
    t2.prune(200n);
    expect(t2.status(id)).toBeUndefined();
  });
});
