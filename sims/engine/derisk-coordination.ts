/**
 * The built-in policy's de-risking: who acts, and when.
 *
 *   quorum      (default) one alert for the system, as on the contract: when a quorum of protocols
 *               votes for a level, every protocol applies its pre-committed action for it; the alert
 *               expires after `alertTtlHours` unless a quorum renews it, and the actions unwind.
 *   unilateral  each protocol acts on its own vote, with the same expiry and unwinding: no
 *               coordination at all (what many protocols running their own similar models would do).
 *
 * Dampening (herding study): `minHoursBetweenRaises` caps the speed of decisions (a stance rises by
 * at most one level per that many hours); `paceHours` the speed of the action itself (a level's
 * tightening arrives in equal parts over that many hours). Diversity of models lives in the voter (alert-votes.ts:
 * thresholds spread per protocol).
 */
import type { AlertVoter } from "./alert-votes.ts";
import type { PolicyContext } from "./engine-policy.ts";

/** The alert in force, and what a step's votes do to it. */
export type AlertState = { level: number; expiresHour: number };

export type AlertStep = {
  next: AlertState;
  /** Levels whose actions to apply (rising) or release (lapsed), in order. */
  raise: number[];
  release: number[];
  renewed: boolean;
};

/**
 * One step of the alert, as the agents' risk loops and the contract run it (agents/risk/
 * risk-loop-machine.ts): `quorumLevel` is the highest level a quorum votes for now.
 *   - An alert at its expiry lapses (the contract's level falls to 0): every level is released,
 *     and a quorum that still votes raises a new one from nothing in the same step.
 *   - A quorum above the level in force raises it (a new alert, expiring `ttlHours` from now).
 *   - A quorum at or above the level in force renews it once it would expire within
 *     `renewWithinHours` (the agents renew an alert before it lapses, not at every step).
 */
export function stepAlert(
  state: AlertState,
  quorumLevel: number,
  nowHour: number,
  ttlHours: number,
  renewWithinHours: number,
): AlertStep {
  const raise: number[] = [];
  const release: number[] = [];
  let current = state;
  if (current.level > 0 && nowHour >= current.expiresHour - 1e-9) {
    for (let l = current.level; l > 0; l--) release.push(l);
    current = { level: 0, expiresHour: 0 };
  }
  if (quorumLevel > current.level) {
    for (let l = current.level + 1; l <= quorumLevel; l++) raise.push(l);
    return { next: { level: quorumLevel, expiresHour: nowHour + ttlHours }, raise, release, renewed: true };
  }
  if (
    current.level > 0 &&
    quorumLevel >= current.level &&
    current.expiresHour - nowHour <= renewWithinHours + 1e-9
  )
    return { next: { level: current.level, expiresHour: nowHour + ttlHours }, raise, release, renewed: true };
  return { next: current, raise, release, renewed: false };
}

/** Protocol i applies one de-risking action, recorded as a "derisk" event (both policies). */
export async function applyDeriskAction(
  ctx: PolicyContext,
  i: number,
  type: "derisk.tighten" | "derisk.release",
  bps: number,
): Promise<void> {
  await ctx.adapters[i]!.apply({ type, bps });
  ctx.record({
    type: "derisk",
    step: ctx.step,
    protocol: ctx.world.protocols[i]!.id,
    action: `${type === "derisk.tighten" ? "tighten" : "release"} ${bps} bps`,
  });
}

export const COORDINATIONS = ["quorum", "unilateral"] as const;
export type Coordination = (typeof COORDINATIONS)[number];

export type DeriskCoordinatorParameters = {
  voter: AlertVoter;
  coordination: Coordination;
  /** Share of protocols that must vote for an alert (quorum). */
  quorumShare: number;
  alertTtlHours: number;
  /** De-risking strength per level and kind, bps (engine-adapter.ts createDerisking). */
  tightenBps: { lending: number; perp: number; vault: number };
  /** Dampening: a stance rises by at most one level per this many hours (0: no cap). */
  minHoursBetweenRaises?: number | undefined;
  /** Dampening: a lending market's or perp's tightening for a level arrives in equal parts over
   *  this many hours instead of at once (0: at once). A vault's redemption cap is a rate, not a
   *  scale: it always applies at once. */
  paceHours?: number | undefined;
};

/** One level's tightening of one protocol, applied in `parts` equal increments. */
type Tranche = { bps: number; applied: number; parts: number };

export function createDeriskCoordinator(p: DeriskCoordinatorParameters) {
  let alert: AlertState = { level: 0, expiresHour: 0 };
  let own: AlertState[] = [];
  let lastRaiseHour: number[] = [];
  const cap = p.minHoursBetweenRaises ?? 0;

  /** At most one level up per `cap` hours for stance `i` (-1: the system alert). */
  const capped = (target: number, current: number, i: number, hours: number) => {
    if (cap <= 0 || target <= current) return target;
    const last = i < 0 ? lastRaiseHour[0] : lastRaiseHour[i + 1];
    if (last !== undefined && hours - last < cap - 1e-9) return current;
    return current + 1;
  };
  const raised = (i: number, hours: number) => {
    lastRaiseHour[i < 0 ? 0 : i + 1] = hours;
  };

  const tranches: Tranche[][] = [];
  const apply = async (ctx: PolicyContext, i: number, type: "derisk.tighten" | "derisk.release") => {
    const kind = ctx.world.protocols[i]!.kind;
    if (kind === "amm") return;
    const b = p.tightenBps[kind as "lending" | "perp" | "vault"];
    tranches[i] ??= [];
    const mine = tranches[i];
    if (type === "derisk.release") {
      const t = mine.pop();
      if (t) for (let k = 0; k < t.applied; k++) await applyDeriskAction(ctx, i, type, t.bps);
      return;
    }
    const parts =
      kind === "vault" || !p.paceHours ? 1 : Math.max(1, Math.round(p.paceHours / ctx.world.stepHours));
    const t: Tranche = { bps: Math.max(1, Math.round(b / parts)), applied: 1, parts };
    mine.push(t);
    await applyDeriskAction(ctx, i, type, t.bps);
  };
  /** Paced tightenings still arriving: one more part each step. */
  const advance = async (ctx: PolicyContext) => {
    for (let i = 0; i < tranches.length; i++)
      for (const t of tranches[i] ?? [])
        if (t.applied < t.parts) {
          t.applied++;
          await applyDeriskAction(ctx, i, "derisk.tighten", t.bps);
        }
  };

  const quorumStep = async (ctx: PolicyContext) => {
    const world = ctx.world;
    let quorumLevel = 0;
    let votes = 0;
    p.voter.votes(world).forEach((v, l) => {
      if (v >= Math.ceil(p.quorumShare * world.protocolCount)) {
        quorumLevel = l + 1;
        votes = v;
      }
    });
    const step = stepAlert(
      alert,
      capped(quorumLevel, alert.level, -1, ctx.hours),
      ctx.hours,
      p.alertTtlHours,
      world.stepHours,
    );
    const changed = step.next.level !== alert.level;
    alert = step.next;
    if (step.raise.length > 0) raised(-1, ctx.hours);
    if (changed)
      ctx.record({
        type: "alert",
        step: ctx.step,
        level: alert.level,
        votes,
        of: world.protocolCount,
        reason:
          step.raise.length > 0
            ? (p.voter.reason?.(world, alert.level) ??
              `${ctx.risk.drawdownAsset} down ${(ctx.risk.maxDrawdown * 100).toFixed(1)}%`)
            : `expired without a quorum for level ${step.release[0]}`,
        expiresHour: alert.expiresHour,
      });
    // A lapsed alert unwinds first; a new one then tightens from nothing.
    for (const _ of step.release)
      for (let i = 0; i < world.protocolCount; i++) await apply(ctx, i, "derisk.release");
    for (const _ of step.raise)
      for (let i = 0; i < world.protocolCount; i++) await apply(ctx, i, "derisk.tighten");
  };

  const unilateralStep = async (ctx: PolicyContext) => {
    const world = ctx.world;
    if (own.length === 0) {
      own = Array.from({ length: world.protocolCount }, () => ({ level: 0, expiresHour: 0 }));
      lastRaiseHour = [];
    }
    const levels = p.voter.levels(world);
    for (let i = 0; i < world.protocolCount; i++) {
      const step = stepAlert(
        own[i]!,
        capped(levels[i]!, own[i]!.level, i, ctx.hours),
        ctx.hours,
        p.alertTtlHours,
        world.stepHours,
      );
      own[i] = step.next;
      if (step.raise.length > 0) raised(i, ctx.hours);
      for (const _ of step.release) await apply(ctx, i, "derisk.release");
      for (const _ of step.raise) await apply(ctx, i, "derisk.tighten");
    }
  };

  return {
    observe: p.voter.observe,
    /** The system alert in force (quorum coordination; unilateral stances post none). */
    alert: (): AlertState => alert,
    onStep: async (ctx: PolicyContext) => {
      await advance(ctx);
      await (p.coordination === "quorum" ? quorumStep(ctx) : unilateralStep(ctx));
    },
  };
}
