/**
 * The engine's system alert posted to the settlement backend, as the agents' quorum posts it on
 * chain (raiseAlert): margined loans' liquidation thresholds tighten by their tighteningPerLevelBps
 * per level while it holds, on the contract and the ledger alike. Posted when the level changes,
 * and again with the engine's current expiry only when the one posted would lapse before the next
 * step (the engine renews its alert every step a quorum holds; the chain need not hear each
 * renewal). So the level in force on the backend equals the engine's at every step. A lapsed alert
 * needs no all-clear: the contract's level falls to 0 at expiry, as the engine's does.
 */
import type { AlertState } from "./derisk-coordination.ts";
import type { PolicyContext } from "./engine-policy.ts";

export function createAlertPoster() {
  let posted: AlertState = { level: 0, expiresHour: 0 };
  return async (ctx: PolicyContext, alert: AlertState): Promise<void> => {
    if (alert.level === 0) {
      posted = { level: 0, expiresHour: 0 };
      return;
    }
    const lapsesFirst = posted.expiresHour <= ctx.hours + ctx.world.stepHours + 1e-9;
    if (alert.level === posted.level && !(lapsesFirst && alert.expiresHour > posted.expiresHour)) return;
    posted = { ...alert };
    const expiresSec = ctx.world.startTime + BigInt(Math.round(alert.expiresHour * 3600));
    await ctx.postAlert({ level: alert.level, expiresSec });
  };
}
