/**
 * How protocols are tied to each other and which runs the scenario scripts: cross-holdings
 * (deposits, credit lines and LP shares are claims cleared by Eisenberg-Noe; issued tokens and
 * collateral are exposures, already in the holder's books) and withdrawal runs (explicit shocks:
 * a time or drawdown trigger, an hourly share, a cap, an optional halt). Runs that emerge from
 * stress are not scripted here: see distress.ts.
 */
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { minBig, reserveOf, type World } from "./world.ts";

export type CrossHolding = {
  holder: number;
  issuer: number;
  asset: number;
  /** What the holder can claim now (deposits shrink as they are withdrawn or written down). */
  amount: bigint;
  form: Scenario["crossHoldings"][number]["form"];
  /** Written down so far because clearing found the issuer insolvent, base units. */
  writtenDown: bigint;
};

export type Run = {
  protocol: number;
  asset: number;
  trigger: { kind: "time"; step: number } | { kind: "drawdown"; asset: number; threshold: number };
  sharePerStep: number;
  cap: bigint;
  base: bigint;
  withdrawn: bigint;
  started: number;
  haltStep: number;
};

export function buildCrossHoldings(world: World, assetOf: (s: string, where: string) => number): void {
  const { protocolIndex, assetCount } = world;
  for (const c of world.scenario.crossHoldings) {
    const holder = protocolIndex.get(c.holder)!;
    const asset = assetOf(c.asset, "crossHoldings.asset");
    const holding: CrossHolding = {
      holder,
      issuer: protocolIndex.get(c.issuer)!,
      asset,
      amount: c.amount,
      form: c.form,
      writtenDown: 0n,
    };
    world.cross.push(holding);
    if (c.form === "deposit") {
      world.depositsHeldBy[holder]!.push(holding);
      const at = holding.issuer * assetCount + asset;
      world.networkDepositsAt[at] = world.networkDepositsAt[at]! + c.amount;
    }
    // A deposit sits at the issuer (which counts it among its deposits), not in the holder's cash.
    if (c.form === "deposit") {
      const at = holder * assetCount + asset;
      const moved = minBig(world.balance[at]!, c.amount);
      world.balance[at] = world.balance[at]! - moved;
      const slot = world.perpSlotOf[holder]!;
      if (slot >= 0) world.perp.idle[slot] = world.perp.idle[slot]! - moved;
    }
  }
}

export function buildRuns(world: World, assetOf: (s: string, where: string) => number): void {
  const stepHours = world.stepHours;
  world.scenario.withdrawalRuns.forEach((r, i) => {
    const protocol = world.protocolIndex.get(r.protocol)!;
    const asset = assetOf(r.asset, `withdrawalRuns[${i}].asset`);
    const base = runBase(world, protocol, asset);
    world.runs.push({
      protocol,
      asset,
      trigger:
        r.trigger.kind === "time"
          ? { kind: "time", step: Math.ceil(r.trigger.atHours / stepHours - 1e-9) }
          : {
              kind: "drawdown",
              asset: assetOf(r.trigger.asset, "trigger.asset"),
              threshold: r.trigger.threshold,
            },
      sharePerStep: 1 - (1 - r.sharePerHour) ** stepHours,
      cap: (base * BigInt(Math.round(r.maxShare * 1e6))) / 1_000_000n,
      base,
      withdrawn: 0n,
      started: -1,
      haltStep: r.haltAtHours === undefined ? Number.MAX_SAFE_INTEGER : Math.ceil(r.haltAtHours / stepHours),
    });
  });
}

/** What a run draws on: deposits of a lending reserve, trader collateral, vault liabilities. */
function runBase(world: World, protocol: number, asset: number): bigint {
  const kind = world.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(world, protocol, asset);
    return r < 0 ? 0n : world.lending.supplied[r]!;
  }
  if (kind === "perp") {
    const slot = world.perpSlotOf[protocol]!;
    let margins = 0n;
    for (let i = 0; i < world.perp.positionMarket.length; i++) {
      if (world.perp.markets[world.perp.positionMarket[i]!]!.protocol === protocol)
        margins += world.perp.margin[i]!;
    }
    return world.perp.idle[slot]! + margins;
  }
  if (kind === "vault") return world.vaults[world.vaultOf[protocol]!]!.liabilities;
  return 0n;
}
