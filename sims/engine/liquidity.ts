/**
 * Liquidity channels: withdrawal runs create payouts a protocol owes; it pays them from cash,
 * then by pulling its own deposits out of other protocols (which drains their cash in turn),
 * and a vault that still owes redemptions sells illiquid backing into venues (a fire sale that
 * moves prices) or, if algorithmic, mints its mint asset for redeemers to dump.
 * Whatever is still owed stays owed: unmet withdrawals, the shortfall negotiation can fund.
 * A halted protocol (a scripted halt, or one distress.ts decided) pays nothing.
 */
import { sell } from "./market.ts";
import type { StepTally } from "./tally.ts";
import {
  BPS,
  type CrossHolding,
  fractionOf,
  minBig,
  reserveOf,
  unitsForUsd8,
  type Vault,
  valueUsd8,
  vaultParUsd8,
  type World,
} from "./world.ts";

/** Runs that are under way add to what their protocol owes. */
export function advanceRuns(world: World): void {
  for (const run of world.runs) {
    if (run.started < 0) {
      const t = run.trigger;
      const triggered =
        t.kind === "time"
          ? world.step >= t.step
          : world.priceFloat[t.asset]! <= world.pathFloat[t.asset]![0]! * (1 - t.threshold) + 1e-12;
      if (triggered) run.started = world.step;
    }
    if (run.started < 0 || world.step >= run.haltStep || run.withdrawn >= run.cap) continue;
    const remaining = runBaseNow(world, run.protocol, run.asset);
    let amount = fractionOf(remaining, run.sharePerStep);
    if (amount > run.cap - run.withdrawn) amount = run.cap - run.withdrawn;
    if (amount <= 0n) continue;
    run.withdrawn += amount;
    addWithdrawal(world, run.protocol, run.asset, amount);
  }
}

/** Depositors of `protocol` ask for `amount` of `asset` (a vault with a queue queues it). */
export function addWithdrawal(world: World, protocol: number, asset: number, amount: bigint): void {
  const vault = world.vaultOf[protocol]!;
  const v = vault < 0 ? undefined : world.vaults[vault];
  const at = protocol * world.assetCount + asset;
  world.asked[at] = world.asked[at]! + amount;
  if (v?.mode === "queued") v.queue.push({ due: world.step + v.delaySteps, amount });
  else if (
    v === undefined &&
    world.owed[at] === 0n &&
    !isHalted(world, protocol) &&
    spendable(world, protocol, asset) >= amount
  )
    // A lending market or exchange with the cash pays at once (what payOwed would do first).
    payOut(world, protocol, asset, amount);
  else world.owed[at] = world.owed[at]! + amount;
}

/** Halted protocols (Celsius, FTX; scripted, or halted by distress) pay nothing from their halt on. */
export function isHalted(world: World, protocol: number): boolean {
  const halted = world.distress.haltedStep[protocol]!;
  if (halted >= 0 && world.step >= halted) return true;
  for (const r of world.runs) if (r.protocol === protocol && world.step >= r.haltStep) return true;
  return false;
}

function runBaseNow(world: World, protocol: number, asset: number): bigint {
  const kind = world.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(world, protocol, asset);
    return r < 0 ? 0n : world.lending.supplied[r]! - world.lending.posted[r]!;
  }
  if (kind === "perp") {
    const s = world.perpSlotOf[protocol]!;
    return world.perp.idle[s]! > 0n ? world.perp.idle[s]! : 0n;
  }
  if (kind === "vault") return world.vaults[world.vaultOf[protocol]!]!.liabilities;
  return 0n;
}

/** Cash a protocol can pay out in asset `a` without touching collateral or its insurance fund. */
export function spendable(world: World, protocol: number, a: number): bigint {
  let x = world.balance[protocol * world.assetCount + a]!;
  const kind = world.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(world, protocol, a);
    if (r >= 0) x -= world.lending.posted[r]!;
  } else if (kind === "perp") {
    const s = world.perpSlotOf[protocol]!;
    if (world.perp.collateralAsset[s] === a) x -= world.perp.insurance[s]!;
  }
  return x > 0n ? x : 0n;
}

/** Moves `amount` of `a` out of `protocol`'s cash, keeping its books (deposits, idle margin). */
export function payOut(world: World, protocol: number, a: number, amount: bigint): void {
  world.balance[protocol * world.assetCount + a] = world.balance[protocol * world.assetCount + a]! - amount;
  const kind = world.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(world, protocol, a);
    if (r >= 0) world.lending.supplied[r] = world.lending.supplied[r]! - amount;
  } else if (kind === "perp") {
    const s = world.perpSlotOf[protocol]!;
    world.perp.idle[s] = world.perp.idle[s]! - amount;
  }
}

export function payOwed(world: World, tally: StepTally): void {
  for (const v of world.vaults) {
    if (v.queue.length === 0) continue;
    const due = v.queue.filter((q) => q.due <= world.step);
    if (due.length === 0) continue;
    v.queue = v.queue.filter((q) => q.due > world.step);
    for (const q of due)
      world.owed[v.protocol * world.assetCount + v.liabilityAsset] =
        world.owed[v.protocol * world.assetCount + v.liabilityAsset]! + q.amount;
  }
  for (let p = 0; p < world.protocolCount; p++) {
    if (isHalted(world, p)) continue;
    const vault = world.vaultOf[p]!;
    if (vault >= 0) {
      payRedemptions(world, world.vaults[vault]!, tally);
      continue;
    }
    for (let a = 0; a < world.assetCount; a++) {
      const i = p * world.assetCount + a;
      if (world.owed[i]! === 0n) continue;
      payFromCash(world, p, a);
      if (world.owed[i]! === 0n) continue;
      pullDeposits(world, p, a, world.owed[i]!);
      payFromCash(world, p, a);
    }
  }
}

function payFromCash(world: World, p: number, a: number): void {
  const i = p * world.assetCount + a;
  const avail = spendable(world, p, a);
  const pay = minBig(world.owed[i]!, avail);
  if (pay === 0n) return;
  payOut(world, p, a, pay);
  world.owed[i] = world.owed[i]! - pay;
}

/** A holder short of `a` withdraws its deposits of `a` from other protocols, as far as they can pay. */
function pullDeposits(world: World, holder: number, a: number, need: bigint): void {
  for (const c of world.depositsHeldBy[holder]!) {
    if (need === 0n) return;
    if (c.asset !== a) continue;
    need -= withdrawDeposit(world, c, need);
  }
}

/**
 * The holder of deposit `c` withdraws up to `amount` of it, as far as the issuer can pay (nothing
 * from a halted issuer); returns what moved.
 */
export function withdrawDeposit(world: World, c: CrossHolding, amount: bigint): bigint {
  if (c.amount === 0n || amount <= 0n || isHalted(world, c.issuer)) return 0n;
  const available = spendable(world, c.issuer, c.asset);
  let x = amount < c.amount ? amount : c.amount;
  if (x > available) x = available;
  if (x === 0n) return 0n;
  payOut(world, c.issuer, c.asset, x);
  c.amount -= x;
  const issuedAt = c.issuer * world.assetCount + c.asset;
  world.networkDepositsAt[issuedAt] = world.networkDepositsAt[issuedAt]! - x;
  const at = c.holder * world.assetCount + c.asset;
  world.balance[at] = world.balance[at]! + x;
  if (world.protocols[c.holder]!.kind === "perp") {
    const slot = world.perpSlotOf[c.holder]!;
    world.perp.idle[slot] = world.perp.idle[slot]! + x;
  }
  return x;
}

/** Value (USD-8) redeemers get for `q` liability tokens, after the fee. */
export function redemptionValue(world: World, v: Vault, q: bigint): bigint {
  return (
    (((q * vaultParUsd8(world, v)) / world.assets[v.liabilityAsset]!.scale) * (BPS - BigInt(v.feeBps))) / BPS
  );
}

function tokensForValue(world: World, v: Vault, usd8: bigint): bigint {
  const per = redemptionValue(world, v, world.assets[v.liabilityAsset]!.scale);
  return per === 0n ? 0n : (usd8 * world.assets[v.liabilityAsset]!.scale) / per;
}

function payRedemptions(world: World, v: Vault, tally: StepTally): void {
  const i = v.protocol * world.assetCount + v.liabilityAsset;
  if (v.mode === "paused" || v.gated || world.owed[i]! === 0n) return;
  let q = world.owed[i]!;
  if (v.capPerStep !== undefined && q > v.capPerStep) q = v.capPerStep;
  let value = redemptionValue(world, v, q);
  let paidValue = 0n;
  // Liquid backing first.
  for (let a = 0; a < world.assetCount && value > 0n; a++) {
    const b = world.balance[v.protocol * world.assetCount + a]!;
    if (b === 0n || world.price[a]! === 0n) continue;
    let units = unitsForUsd8(world, a, value);
    if (units > b) units = b;
    const got = valueUsd8(world, a, units);
    world.balance[v.protocol * world.assetCount + a] = b - units;
    value -= got;
    paidValue += got;
  }
  if (value > 0n && v.algorithmic && v.mintAsset >= 0 && world.price[v.mintAsset]! > 0n) {
    // Redeemers are paid in freshly minted tokens, which they sell.
    const units = unitsForUsd8(world, v.mintAsset, value);
    v.minted += units;
    tally.fireSaleUsd8 += sell(world, v.mintAsset, units).proceedsUsd8;
    paidValue += value;
    value = 0n;
  }
  const paidTokens = value === 0n ? q : tokensForValue(world, v, paidValue);
  const settled = paidTokens > world.owed[i]! ? world.owed[i]! : paidTokens;
  world.owed[i] = world.owed[i]! - settled;
  v.liabilities -= settled;
}

/** Vaults that still owe redemptions sell illiquid backing into the market (their pool, or the
 *  outside market: the price concession is the market's depth) and pay redeemers from the
 *  proceeds. */
export function fireSales(world: World, tally: StepTally): void {
  for (const v of world.vaults) {
    const i = v.protocol * world.assetCount + v.liabilityAsset;
    if (v.mode === "paused" || v.gated || world.owed[i]! === 0n || isHalted(world, v.protocol)) continue;
    // Sell only for what this step's redemptions need beyond the liquid backing.
    const q = v.capPerStep !== undefined && world.owed[i]! > v.capPerStep ? v.capPerStep : world.owed[i]!;
    let liquid = 0n;
    for (let a = 0; a < world.assetCount; a++)
      liquid += valueUsd8(world, a, world.balance[v.protocol * world.assetCount + a]!);
    let need = redemptionValue(world, v, q) - liquid;
    for (const h of v.held) {
      if (need <= 0n || h.liquidity !== "illiquid" || h.amount === 0n) continue;
      let units = unitsForUsd8(world, h.asset, need);
      if (units > h.amount) units = h.amount;
      h.amount -= units;
      const proceeds = sell(world, h.asset, units).proceedsUsd8;
      tally.fireSaleUsd8 += proceeds;
      const tokens = tokensForValue(world, v, proceeds);
      const settled = minBig(tokens, world.owed[i]!);
      world.owed[i] = world.owed[i]! - settled;
      v.liabilities -= settled;
      need -= proceeds;
    }
  }
}

/** USD-8 value of everything owed and unpaid right now. */
export function unmetUsd8(world: World): bigint {
  let total = 0n;
  for (let p = 0; p < world.protocolCount; p++) total += unmetUsd8Of(world, p);
  return total;
}

/** USD-8 value of what `protocol` owes and has not paid (redemptions at their redemption value). */
export function unmetUsd8Of(world: World, protocol: number): bigint {
  let total = 0n;
  const vault = world.vaultOf[protocol]!;
  for (let a = 0; a < world.assetCount; a++) {
    const x = world.owed[protocol * world.assetCount + a]!;
    if (x === 0n) continue;
    total +=
      vault >= 0 && a === world.vaults[vault]!.liabilityAsset
        ? redemptionValue(world, world.vaults[vault]!, x)
        : valueUsd8(world, a, x);
  }
  return total;
}

/**
 * What counts towards `protocol`'s liquidity halt threshold, USD-8: its unpaid withdrawals, except
 * what a vault withholds by its own rules (a redemption cap or pause is the vault's gate: it
 * counts as unpaid withdrawals for depositors, but it is not a failure to pay). A capped vault
 * counts at most one step's cap.
 */
export function unpaidTowardsHaltUsd8(world: World, protocol: number): bigint {
  const vault = world.vaultOf[protocol]!;
  if (vault < 0) return unmetUsd8Of(world, protocol);
  const v = world.vaults[vault]!;
  if (v.mode === "paused" || v.gated) return 0n;
  let owed = world.owed[protocol * world.assetCount + v.liabilityAsset]!;
  if (v.capPerStep !== undefined && owed > v.capPerStep) owed = v.capPerStep;
  return redemptionValue(world, v, owed);
}
