import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import type { HeldAlert } from "./risk-loop-machine.ts";
import { type Assessment, type RiskLoopEffect, riskLoopMachine } from "./risk-loop-machine.ts";

const id = `0x${"ab".repeat(32)}` as Hex;
const drain = () => new Promise((r) => setTimeout(r, 0));

function loop(proposeLevel = 0, renewWithinSec?: number) {
  const clock = new SimulatedClock();
  clock.set(1_000_000);
  const assessments: number[] = [];
  const submitted: HeldAlert[] = [];
  const assessment: Assessment = {
    features: { coverBps: 10_000, volatilityBps: 0, drawdownBps: 0, neighbourStressBps: 0 },
    estimates: [{ horizonHours: 24, probabilityPpm: 0, lowPpm: 0, highPpm: 0 }],
    proposeLevel,
  };
  const actor = createActor(riskLoopMachine, {
    clock,
    input: {
      cadenceMs: 10_000,
      ...(renewWithinSec !== undefined ? { renewWithinSec } : {}),
      nowSec: () => BigInt(Math.floor(clock.now() / 1000)),
      assess: async () => {
        assessments.push(clock.now());
        return assessment;
      },
      submit: async (h) => {
        submitted.push(h);
        return { posted: true };
      },
    },
  });
  const effects: RiskLoopEffect[] = [];
  actor.on("*", (e) => effects.push(e));
  actor.start();
  const stances = () =>
    effects.filter((e) => e.type === "effect.stance").map((e) => (e as { level: number }).level);
  const alert = (level: number, ttlSec: number) => ({
    level,
    evidenceHash: id,
    issuedAt: BigInt(clock.now() / 1000),
    expiresAt: BigInt(clock.now() / 1000 + ttlSec),
  });
  return { clock, actor, effects, assessments, submitted, stances, alert };
}

describe("risk loop machine on a simulated clock", () => {
  it("assesses at once and then every cadence, proposing once per level", async () => {
    const l = loop(1);
    await drain();
    l.clock.increment(9_999);
    await drain();
    expect(l.assessments).toEqual([1_000_000]);
    l.clock.increment(1);
    await drain();
    expect(l.assessments).toEqual([1_000_000, 1_010_000]);
    expect(l.effects.filter((e) => e.type === "effect.riskSnapshot")).toHaveLength(2);
    expect(l.effects.filter((e) => e.type === "effect.proposeAlert")).toHaveLength(1);
    l.actor.stop();
  });

  it("proposes again only once its last proposal lapsed unheld", async () => {
    const l = loop(1);
    await drain();
    l.clock.increment(10_000);
    await drain();
    expect(l.effects.filter((e) => e.type === "effect.proposeAlert")).toHaveLength(1);
    l.actor.send({ type: "proposal.lapsed" });
    l.clock.increment(10_000);
    await drain();
    expect(l.effects.filter((e) => e.type === "effect.proposeAlert")).toHaveLength(2);
    l.actor.stop();
  });

  it("a held alert applies its stance and unwinds exactly when it expires", async () => {
    const l = loop();
    await drain();
    l.actor.send({ type: "alert.held", id, alert: l.alert(2, 60), signatures: [] });
    expect(l.stances()).toEqual([2]);
    l.clock.increment(59_999);
    await drain();
    expect(l.stances()).toEqual([2]);
    l.clock.increment(1);
    expect(l.stances()).toEqual([2, 0]);
    expect(l.actor.getSnapshot().value).toMatchObject({ alert: "calm" });
    l.actor.stop();
  });

  it("a higher alert re-applies and restarts the expiry; a lower one changes nothing", async () => {
    const l = loop();
    l.actor.send({ type: "alert.held", id, alert: l.alert(1, 60), signatures: [] });
    l.clock.increment(30_000);
    l.actor.send({ type: "alert.held", id, alert: l.alert(3, 60), signatures: [] });
    l.actor.send({ type: "alert.held", id, alert: l.alert(2, 600), signatures: [] });
    l.clock.increment(59_000);
    expect(l.stances()).toEqual([1, 3]);
    l.clock.increment(1_000);
    expect(l.stances()).toEqual([1, 3, 0]);
    l.actor.stop();
  });

  it("follows a standing on-chain alert, but not one already expired by its clock", async () => {
    const l = loop();
    const now = BigInt(l.clock.now() / 1000);
    const stale = { level: 1, evidenceHash: id, issuedAt: now - 60n, expiresAt: now };
    l.actor.stop();
    const chainSeen: NonNullable<Assessment["chain"]>[] = [
      { level: 1, expiresAtSec: now, alert: stale, id },
      { level: 2, expiresAtSec: now + 60n, alert: { ...stale, level: 2, expiresAt: now + 60n }, id },
    ];
    const effects: RiskLoopEffect[] = [];
    const actor = createActor(riskLoopMachine, {
      clock: l.clock,
      input: {
        cadenceMs: 10_000,
        nowSec: () => BigInt(Math.floor(l.clock.now() / 1000)),
        assess: async () => ({
          features: { coverBps: 10_000, volatilityBps: 0, drawdownBps: 0, neighbourStressBps: 0 },
          estimates: [{ horizonHours: 24, probabilityPpm: 0, lowPpm: 0, highPpm: 0 }],
          proposeLevel: 0,
          ...(chainSeen.length > 0 ? { chain: chainSeen.shift()! } : {}),
        }),
        submit: async () => ({ posted: false }),
      },
    });
    actor.on("*", (e) => effects.push(e));
    actor.start();
    await drain();
    expect(effects.filter((e) => e.type === "effect.stance")).toEqual([]);
    l.clock.increment(10_000);
    await drain();
    expect(effects.filter((e) => e.type === "effect.stance")).toEqual([
      { type: "effect.stance", level: 2, id },
    ]);
    actor.stop();
  });

  it("posts on chain only when its turn comes", async () => {
    const l = loop();
    l.actor.send({ type: "alert.held", id, alert: l.alert(2, 600), signatures: [], submitAfterMs: 4_000 });
    l.clock.increment(3_999);
    await drain();
    expect(l.submitted).toHaveLength(0);
    l.clock.increment(1);
    await drain();
    expect(l.submitted).toHaveLength(1);
    expect(l.effects).toContainEqual({ type: "effect.alertPosted", id, posted: true });
    l.actor.stop();
  });

  it("renews a held alert its view still supports once it would expire within renewWithinSec, keeping its stance through the old expiry", async () => {
    const l = loop(1, 15);
    await drain();
    l.actor.send({ type: "alert.held", id, alert: l.alert(1, 60), signatures: [] });
    await drain();
    const proposals = () => l.effects.filter((e) => e.type === "effect.proposeAlert");
    const before = proposals().length;
    l.clock.increment(40_000); // 20 s left: not yet
    await drain();
    expect(proposals()).toHaveLength(before);
    l.clock.increment(10_000); // 10 s left: renew, once
    await drain();
    expect(proposals()).toHaveLength(before + 1);
    expect((proposals().at(-1) as { level: number }).level).toBe(1);
    l.clock.increment(5_000);
    await drain();
    expect(proposals()).toHaveLength(before + 1);
    // The renewal is held: same level, later expiry. The stance stays; the old expiry passes.
    const renewal = l.alert(1, 60);
    l.actor.send({ type: "alert.held", id: `0x${"cd".repeat(32)}` as Hex, alert: renewal, signatures: [] });
    await drain();
    l.clock.increment(10_000);
    await drain();
    expect(l.stances()).toEqual([1, 1]);
    l.clock.increment(60_000);
    await drain();
    expect(l.stances()).toEqual([1, 1, 0]);
    l.actor.stop();
  });
});
