/**
 * Liquidity channels: withdrawal runs create payouts a protocol owes; it pays them from cash,
 * then by pulling its own deposits out of other protocols (which drains their cash in turn),
 * and a vault that still owes redemptions sells illiquid backing into venues (a fire sale that
 * moves prices) or, if algorithmic, mints its mint asset for redeemers to dump.
 * Whatever is still owed stays owed: unmet withdrawals, the shortfall negotiation can fund.
 */
import { sell } from "./market.ts";
import type { StepTally } from "./tally.ts";
import {
  BPS,
  minBig,
  reserveOf,
  unitsForUsd8,
  type Vault,
  valueUsd8,
  vaultParUsd8,
  type World,
} from "./world.ts";

const ppm = (x: number) => BigInt(Math.round(x * 1e6));

/** Runs that are under way add to what their protocol owes. */
export function advanceRuns(w: World): void {
  for (const run of w.runs) {
    if (run.started < 0) {
      const t = run.trigger;
      const triggered =
        t.kind === "time"
          ? w.step >= t.step
          : w.priceF[t.asset]! <= w.pathF[t.asset]![0]! * (1 - t.threshold) + 1e-12;
      if (triggered) run.started = w.step;
    }
    if (run.started < 0 || w.step >= run.haltStep || run.withdrawn >= run.cap) continue;
    const remaining = runBaseNow(w, run.protocol, run.asset);
    let amount = (remaining * ppm(run.sharePerStep)) / 1_000_000n;
    if (amount > run.cap - run.withdrawn) amount = run.cap - run.withdrawn;
    if (amount <= 0n) continue;
    run.withdrawn += amount;
    const vault = w.vaultOf[run.protocol]!;
    const v = vault < 0 ? undefined : w.vaults[vault];
    if (v?.mode === "queued") v.queue.push({ due: w.step + v.delaySteps, amount });
    else w.owed[run.protocol * w.nA + run.asset] = w.owed[run.protocol * w.nA + run.asset]! + amount;
  }
}

/** Halted protocols (Celsius, FTX) pay nothing from their halt on. */
export function isHalted(w: World, protocol: number): boolean {
  return w.runs.some((r) => r.protocol === protocol && w.step >= r.haltStep);
}

function runBaseNow(w: World, protocol: number, asset: number): bigint {
  const kind = w.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(w, protocol, asset);
    return r < 0 ? 0n : w.lending.supplied[r]! - w.lending.posted[r]!;
  }
  if (kind === "perp") {
    const s = w.perpSlotOf[protocol]!;
    return w.perp.idle[s]! > 0n ? w.perp.idle[s]! : 0n;
  }
  if (kind === "vault") return w.vaults[w.vaultOf[protocol]!]!.liabilities;
  return 0n;
}

/** Cash a protocol can pay out in asset `a` without touching collateral or its insurance fund. */
export function spendable(w: World, protocol: number, a: number): bigint {
  let x = w.bal[protocol * w.nA + a]!;
  const kind = w.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(w, protocol, a);
    if (r >= 0) x -= w.lending.posted[r]!;
  } else if (kind === "perp") {
    const s = w.perpSlotOf[protocol]!;
    if (w.perp.collAsset[s] === a) x -= w.perp.insurance[s]!;
  }
  return x > 0n ? x : 0n;
}

/** Moves `amount` of `a` out of `protocol`'s cash, keeping its books (deposits, idle margin). */
function payOut(w: World, protocol: number, a: number, amount: bigint): void {
  w.bal[protocol * w.nA + a] = w.bal[protocol * w.nA + a]! - amount;
  const kind = w.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(w, protocol, a);
    if (r >= 0) w.lending.supplied[r] = w.lending.supplied[r]! - amount;
  } else if (kind === "perp") {
    const s = w.perpSlotOf[protocol]!;
    w.perp.idle[s] = w.perp.idle[s]! - amount;
  }
}

export function payOwed(w: World, tally: StepTally): void {
  for (const v of w.vaults) {
    const due = v.queue.filter((q) => q.due <= w.step);
    if (due.length === 0) continue;
    v.queue = v.queue.filter((q) => q.due > w.step);
    for (const q of due)
      w.owed[v.protocol * w.nA + v.liabAsset] = w.owed[v.protocol * w.nA + v.liabAsset]! + q.amount;
  }
  for (let p = 0; p < w.nP; p++) {
    if (isHalted(w, p)) continue;
    const vault = w.vaultOf[p]!;
    if (vault >= 0) {
      payRedemptions(w, w.vaults[vault]!, tally);
      continue;
    }
    for (let a = 0; a < w.nA; a++) {
      const i = p * w.nA + a;
      if (w.owed[i]! === 0n) continue;
      payFromCash(w, p, a, tally);
      if (w.owed[i]! > 0n) pullDeposits(w, p, a, w.owed[i]!);
      payFromCash(w, p, a, tally);
    }
  }
}

function payFromCash(w: World, p: number, a: number, tally: StepTally): void {
  const i = p * w.nA + a;
  const avail = spendable(w, p, a);
  const pay = minBig(w.owed[i]!, avail);
  if (pay === 0n) return;
  payOut(w, p, a, pay);
  w.owed[i] = w.owed[i]! - pay;
  tally.withdrawnUsd8 += valueUsd8(w, a, pay);
}

/** A holder short of `a` withdraws its deposits of `a` from other protocols, as far as they can pay. */
function pullDeposits(w: World, holder: number, a: number, need: bigint): void {
  for (const c of w.cross) {
    if (need === 0n) return;
    if (c.holder !== holder || c.asset !== a || c.form !== "deposit" || c.amount === 0n) continue;
    if (isHalted(w, c.issuer)) continue;
    const avail = spendable(w, c.issuer, a);
    let x = need < c.amount ? need : c.amount;
    if (x > avail) x = avail;
    if (x === 0n) continue;
    payOut(w, c.issuer, a, x);
    c.amount -= x;
    w.bal[holder * w.nA + a] = w.bal[holder * w.nA + a]! + x;
    if (w.protocols[holder]!.kind === "perp") {
      const s = w.perpSlotOf[holder]!;
      w.perp.idle[s] = w.perp.idle[s]! + x;
    }
    need -= x;
  }
}

/** Value (USD-8) redeemers get for `q` liability tokens, after the fee. */
function redemptionValue(w: World, v: Vault, q: bigint): bigint {
  return (((q * vaultParUsd8(w, v)) / w.assets[v.liabAsset]!.scale) * (BPS - BigInt(v.feeBps))) / BPS;
}

function tokensForValue(w: World, v: Vault, usd8: bigint): bigint {
  const per = redemptionValue(w, v, w.assets[v.liabAsset]!.scale);
  return per === 0n ? 0n : (usd8 * w.assets[v.liabAsset]!.scale) / per;
}

function payRedemptions(w: World, v: Vault, tally: StepTally): void {
  const i = v.protocol * w.nA + v.liabAsset;
  if (v.mode === "paused" || v.gated || w.owed[i]! === 0n) return;
  let q = w.owed[i]!;
  if (v.capPerStep !== undefined && q > v.capPerStep) q = v.capPerStep;
  let value = redemptionValue(w, v, q);
  let paidValue = 0n;
  // Liquid backing first.
  for (let a = 0; a < w.nA && value > 0n; a++) {
    const b = w.bal[v.protocol * w.nA + a]!;
    if (b === 0n || w.price[a]! === 0n) continue;
    let units = unitsForUsd8(w, a, value);
    if (units > b) units = b;
    const got = valueUsd8(w, a, units);
    w.bal[v.protocol * w.nA + a] = b - units;
    value -= got;
    paidValue += got;
  }
  if (value > 0n && v.algorithmic && v.mintAsset >= 0 && w.price[v.mintAsset]! > 0n) {
    // Redeemers are paid in freshly minted tokens, which they sell.
    const units = unitsForUsd8(w, v.mintAsset, value);
    v.minted += units;
    tally.fireSaleUsd8 += sell(w, v.mintAsset, units).proceedsUsd8;
    paidValue += value;
    value = 0n;
  }
  const paidTokens = value === 0n ? q : tokensForValue(w, v, paidValue);
  const settled = paidTokens > w.owed[i]! ? w.owed[i]! : paidTokens;
  w.owed[i] = w.owed[i]! - settled;
  v.liabilities -= settled;
  tally.withdrawnUsd8 += paidValue;
}

/** Vaults that still owe redemptions sell illiquid backing into venues (at a discount where
 *  no pool exists) and pay redeemers from the proceeds. */
export function fireSales(w: World, tally: StepTally): void {
  for (const v of w.vaults) {
    const i = v.protocol * w.nA + v.liabAsset;
    if (v.mode === "paused" || v.gated || w.owed[i]! === 0n || isHalted(w, v.protocol)) continue;
    // Sell only for what this step's redemptions need beyond the liquid backing.
    const q = v.capPerStep !== undefined && w.owed[i]! > v.capPerStep ? v.capPerStep : w.owed[i]!;
    let liquid = 0n;
    for (let a = 0; a < w.nA; a++) liquid += valueUsd8(w, a, w.bal[v.protocol * w.nA + a]!);
    let need = redemptionValue(w, v, q) - liquid;
    for (const h of v.held) {
      if (need <= 0n || h.liquidity !== "illiquid" || h.amount === 0n) continue;
      const discount = BigInt(Math.round(w.options.fireSaleDiscount * 10_000));
      let units = unitsForUsd8(w, h.asset, (need * (BPS + discount)) / BPS);
      if (units > h.amount) units = h.amount;
      h.amount -= units;
      let proceeds = sell(w, h.asset, units).proceedsUsd8;
      if (w.venues[w.venueOf[h.asset]!]!.protocol < 0) proceeds = (proceeds * (BPS - discount)) / BPS;
      tally.fireSaleUsd8 += proceeds;
      const tokens = tokensForValue(w, v, proceeds);
      const settled = minBig(tokens, w.owed[i]!);
      w.owed[i] = w.owed[i]! - settled;
      v.liabilities -= settled;
      tally.withdrawnUsd8 += proceeds;
      need -= proceeds;
    }
  }
}

/** USD-8 value of everything owed and unpaid right now. */
export function unmetUsd8(w: World): bigint {
  let total = 0n;
  for (let p = 0; p < w.nP; p++) {
    for (let a = 0; a < w.nA; a++) {
      const x = w.owed[p * w.nA + a]!;
      if (x === 0n) continue;
      const vault = w.vaultOf[p]!;
      total +=
        vault >= 0 && a === w.vaults[vault]!.liabAsset
          ? redemptionValue(w, w.vaults[vault]!, x)
          : valueUsd8(w, a, x);
    }
  }
  return total;
}
