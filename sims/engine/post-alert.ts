/**
 * The engine's system alert posted to the settlement backend, as the agents' quorum posts it on
 * chain (raiseAlert): margined loans' liquidation thresholds tighten by their tighteningPerLevelBps
 * per level while it holds, on the contract and the ledger alike. Posted when the level or its
 * expiry changes (a renewal extends it); an alert that lapsed needs no all-clear, since the
 * contract's level falls to 0 at expiry, as the engine's does.
 */
import type { AlertState } from "./derisk-coordination.ts";
import type { PolicyContext } from "./engine-policy.ts";

export function createAlertPoster() {
  let last: AlertState = { level: 0, expiresHour: 0 };
  return async (ctx: PolicyContext, alert: AlertState): Promise<void> => {
    if (alert.level === last.level && alert.expiresHour === last.expiresHour) return;
    last = { ...alert };
    if (alert.level === 0) return;
    const expiresSec = ctx.world.startTime + BigInt(Math.round(alert.expiresHour * 3600));
    await ctx.postAlert({ level: alert.level, expiresSec });
  };
}
