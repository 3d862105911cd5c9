/**
 * Endogenous contagion: what clearing finds feeds back into the next step.
 *
 *   1. Write-downs. When clearing finds a protocol unable to meet its network obligations, each
 *      creditor's claim on it is marked at the clearing recovery rate (payment / obligation) at the
 *      start of the next step: a deposit shrinks (and so does the issuer's deposit liability), a
 *      credit line shrinks, a negotiated loan is provisioned. The loss is on the creditor's books
 *      from then on, whatever prices do later.
 *   2. Halts. A protocol whose equity after clearing falls below its rule's share of its starting
 *      equity, or whose unpaid withdrawals exceed its rule's share of its starting deposits, halts
 *      withdrawals from the next step on (for the rest of the run).
 *   3. Runs. Depositors observe stress and withdraw: a share per hour of what they can still
 *      withdraw, rising with the protocol's own equity loss, its exposure to halted protocols and
 *      the drawdown of the assets it depends on (engine-defaults.ts, or the scenario's rule).
 *      Protocols that hold deposits at a stressed peer pull them at the same rate.
 * Together these make a cascade that emerges from the network: a shocked protocol defaults, its
 * creditors are written down and their depositors run, a creditor that cannot pay halts, its
 * own creditors' depositors run... Scripted runs and halts (scenario `withdrawalRuns`) remain
 * as explicit shocks on top.
 */
import type { BalanceSheet, Solvency } from "./balance-sheet.ts";
import type { PendingMark } from "./build-distress.ts";
import { addWithdrawal, isHalted, unpaidTowardsHaltUsd8, withdrawDeposit } from "./liquidity.ts";
import { BPS, fractionOf, usdFloat, valueUsd8, type World } from "./world.ts";

export type ContagionEvent =
  | { type: "default"; step: number; protocol: string; shortfallUsd8: bigint }
  | {
      type: "write-down";
      step: number;
      creditor: string;
      debtor: string;
      lossUsd8: bigint;
      recoveryPpm: number;
    }
  | { type: "halt"; step: number; protocol: string; reason: string };

/**
 * After clearing at the current step: records defaults, queues write-downs for the next step,
 * decides halts (effective next step) and sets each protocol's run intensity for the next step.
 */
export function assessDistress(
  world: World,
  sheet: BalanceSheet,
  solvency: Solvency,
  record: (e: ContagionEvent) => void,
): void {
  const distress = world.distress;
  const n = world.protocolCount;
  const marks: PendingMark[] = [];
  for (let i = 0; i < n; i++) {
    const obligation = solvency.obligationsUsd8[i]!;
    const payment = solvency.paymentsUsd8[i]!;
    // A rounding unit of clearing dust is not a default.
    if (obligation - payment <= BPS) continue;
    if (distress.defaultedStep[i]! < 0) {
      distress.defaultedStep[i] = world.step;
      record({
        type: "default",
        step: world.step,
        protocol: world.protocols[i]!.id,
        shortfallUsd8: obligation - payment,
      });
    }
  }
  for (const claim of sheet.claims) {
    const obligation = solvency.obligationsUsd8[claim.debtor]!;
    const payment = solvency.paymentsUsd8[claim.debtor]!;
    if (obligation - payment > BPS) marks.push({ claim, obligationUsd8: obligation, paymentUsd8: payment });
  }
  distress.pending = marks;

  // Observed stress.
  const haltedExposureUsd8 = new Float64Array(n);
  const { rowStart, column, value } = sheet.exposures;
  for (let i = 0; i < n; i++)
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++)
      if (distress.haltedStep[column[k]!]! >= 0) haltedExposureUsd8[i] = haltedExposureUsd8[i]! + value[k]!;
  for (let i = 0; i < n; i++) {
    const start = distress.startEquityUsd8[i]!;
    // Book equity: what would be left if it met its network obligations in full (negative by the
    // shortfall when it cannot; clearing's own equity stops at zero for a network defaulter).
    const equity = solvency.equityUsd8[i]! - (solvency.obligationsUsd8[i]! - solvency.paymentsUsd8[i]!);
    const startUsd = Math.max(1, usdFloat(start));
    distress.equityLossShare[i] =
      start > 0n ? Math.min(1, Math.max(0, usdFloat(start - equity) / startUsd)) : equity < -BPS ? 1 : 0;
    distress.haltedExposureShare[i] = Math.min(1, haltedExposureUsd8[i]! / startUsd);
    let drawdown = 0;
    for (const a of distress.exposedAssets[i]!) {
      const d = 1 - world.priceFloat[a]! / world.pathFloat[a]![0]!;
      if (d > drawdown) drawdown = d;
    }
    distress.drawdown[i] = drawdown;

    const rule = distress.rules[i]!;
    if (distress.haltedStep[i]! < 0) {
      // A protocol the scenario starts insolvent (an algorithmic stablecoin, Celsius) is not halted
      // for it: only its liquidity (or the scenario's script) can halt it.
      const equityFloor =
        rule.haltBelowEquityShare === undefined || start <= 0n
          ? undefined
          : fractionOfSigned(start, rule.haltBelowEquityShare);
      const unpaid = unpaidTowardsHaltUsd8(world, i);
      const unpaidCeiling =
        rule.haltAboveUnpaidShare === undefined
          ? undefined
          : fractionOf(distress.startDepositsUsd8[i]!, rule.haltAboveUnpaidShare);
      let reason = "";
      if (equityFloor !== undefined && equity + BPS < equityFloor)
        reason = `equity ${fmt(equity)} below ${rule.haltBelowEquityShare! * 100}% of its starting ${fmt(start)}`;
      else if (unpaidCeiling !== undefined && unpaid > unpaidCeiling && unpaid > 0n)
        reason = `unpaid withdrawals ${fmt(unpaid)} above ${rule.haltAboveUnpaidShare! * 100}% of its starting deposits`;
      if (reason !== "") {
        distress.haltedStep[i] = world.step + 1;
        distress.haltReason[i] = reason;
        record({ type: "halt", step: world.step + 1, protocol: world.protocols[i]!.id, reason });
      }
    }

    const run = rule.run;
    const perHour = Math.min(
      run.maxPerHour,
      run.perEquityLoss * distress.equityLossShare[i]! +
        run.perHaltedExposure * distress.haltedExposureShare[i]! +
        run.perDrawdown * Math.max(0, drawdown - run.drawdownFloor),
    );
    distress.runSharePerStep[i] = perHour > 0 ? 1 - (1 - perHour) ** world.stepHours : 0;
  }
}

const fractionOfSigned = (amount: bigint, share: number) =>
  share >= 0 ? fractionOf(amount, share) : -fractionOf(amount, -share);

const fmt = (usd8: bigint) => `$${(usdFloat(usd8) / 1e6).toFixed(2)}M`;

/**
 * Start of a step: claims on protocols the last clearing found in default are written down to the
 * recovery rate; each loss is booked on the creditor (and written off against the debtor).
 */
export function applyWriteDowns(world: World, record: (e: ContagionEvent) => void): void {
  const distress = world.distress;
  const marks = distress.pending;
  if (marks.length === 0) return;
  distress.pending = [];
  for (const { claim, obligationUsd8, paymentUsd8 } of marks) {
    const unpaid = obligationUsd8 - paymentUsd8;
    const lossUsd8 = (claim.valueUsd8 * unpaid) / obligationUsd8;
    if (lossUsd8 <= 0n) continue;
    const cross = claim.cross;
    const loan = claim.loan;
    if (cross) {
      const loss = (cross.amount * unpaid) / obligationUsd8;
      if (loss <= 0n) continue;
      cross.amount -= loss;
      cross.writtenDown += loss;
      if (cross.form === "deposit") shrinkDepositLiability(world, cross.issuer, cross.asset, loss);
    } else if (loan) {
      const open = loan.due - loan.writtenDown;
      const secured = valueUsd8(world, loan.collateralAsset, loan.collateral);
      // Only the unsecured part was a network claim; write down its unpaid share.
      const unsecuredUnits =
        open - (secured * world.assets[loan.asset]!.scale) / (world.price[loan.asset]! || 1n);
      const loss = unsecuredUnits > 0n ? (unsecuredUnits * unpaid) / obligationUsd8 : 0n;
      if (loss <= 0n) continue;
      loan.writtenDown += loss;
    }
    distress.writeDownLossUsd8[claim.creditor] = distress.writeDownLossUsd8[claim.creditor]! + lossUsd8;
    distress.writtenOffUsd8[claim.debtor] = distress.writtenOffUsd8[claim.debtor]! + lossUsd8;
    record({
      type: "write-down",
      step: world.step,
      creditor: world.protocols[claim.creditor]!.id,
      debtor: world.protocols[claim.debtor]!.id,
      lossUsd8,
      recoveryPpm: Number((paymentUsd8 * 1_000_000n) / obligationUsd8),
    });
  }
}

/** A depositor's claim was written down: the issuer owes that much less (its depositor's balance
 *  is haircut in resolution). */
function shrinkDepositLiability(world: World, issuer: number, asset: number, loss: bigint): void {
  const kind = world.protocols[issuer]!.kind;
  if (kind === "lending") {
    const r = world.reserveAt[issuer * world.assetCount + asset]!;
    if (r >= 0) world.lending.supplied[r] = world.lending.supplied[r]! - loss;
  } else if (kind === "vault") {
    const v = world.vaults[world.vaultOf[issuer]!]!;
    if (v.liabilityAsset === asset) v.liabilities -= loss < v.liabilities ? loss : v.liabilities;
  } else if (kind === "perp") {
    const slot = world.perpSlotOf[issuer]!;
    if (world.perp.collateralAsset[slot] === asset) world.perp.idle[slot] = world.perp.idle[slot]! - loss;
  }
}

/**
 * Depositors act on the run intensity assessDistress set: each protocol's outside depositors ask
 * for that share of what they can still withdraw (until the rule's cap), and protocols holding
 * deposits there pull the same share of theirs.
 */
export function advanceDepositorRuns(world: World): void {
  const distress = world.distress;
  const nA = world.assetCount;
  // Deposits other protocols hold at each (issuer, asset): not the outside depositors' money.
  const networkDeposits = new Map<number, bigint>();
  for (const c of world.cross) {
    if (c.form !== "deposit") continue;
    const key = c.issuer * nA + c.asset;
    networkDeposits.set(key, (networkDeposits.get(key) ?? 0n) + c.amount);
  }
  for (let p = 0; p < world.protocolCount; p++) {
    const share = distress.runSharePerStep[p]!;
    if (share <= 0) continue;
    const cap = fractionOf(distress.startDepositsUsd8[p]!, distress.rules[p]!.run.maxShare);
    let room = cap - distress.runDemandUsd8[p]!;
    if (room <= 0n) continue;
    for (const { asset, base } of withdrawableByAsset(world, p, networkDeposits)) {
      if (room <= 0n) break;
      let amount = fractionOf(base, share);
      const value = valueUsd8(world, asset, amount);
      if (value > room) amount = (amount * room) / value;
      if (amount <= 0n) continue;
      const asked = valueUsd8(world, asset, amount);
      distress.runDemandUsd8[p] = distress.runDemandUsd8[p]! + asked;
      room -= asked;
      addWithdrawal(world, p, asset, amount);
    }
  }
  // Protocol depositors flee stressed peers at the same rate.
  for (const c of world.cross) {
    if (c.form !== "deposit" || c.amount === 0n) continue;
    const share = distress.runSharePerStep[c.issuer]!;
    if (share <= 0 || isHalted(world, c.issuer)) continue;
    withdrawDeposit(world, c, fractionOf(c.amount, share));
  }
}

/** What outside depositors of `p` can still ask for, by asset (not yet asked, not posted as
 *  collateral, not other protocols' deposits). */
function withdrawableByAsset(
  world: World,
  p: number,
  networkDeposits: Map<number, bigint>,
): { asset: number; base: bigint }[] {
  const nA = world.assetCount;
  const kind = world.protocols[p]!.kind;
  const out: { asset: number; base: bigint }[] = [];
  if (kind === "lending") {
    for (let a = 0; a < nA; a++) {
      const r = world.reserveAt[p * nA + a]!;
      if (r < 0 || world.lending.minted[r]) continue;
      const base =
        world.lending.supplied[r]! -
        world.lending.posted[r]! -
        (networkDeposits.get(p * nA + a) ?? 0n) -
        world.owed[p * nA + a]!;
      if (base > 0n) out.push({ asset: a, base });
    }
  } else if (kind === "vault") {
    const v = world.vaults[world.vaultOf[p]!]!;
    let queued = 0n;
    for (const q of v.queue) queued += q.amount;
    const base = v.liabilities - world.owed[p * nA + v.liabilityAsset]! - queued;
    if (base > 0n) out.push({ asset: v.liabilityAsset, base });
  } else if (kind === "perp") {
    const slot = world.perpSlotOf[p]!;
    const a = world.perp.collateralAsset[slot]!;
    const base = world.perp.idle[slot]! - world.owed[p * nA + a]!;
    if (base > 0n) out.push({ asset: a, base });
  }
  return out;
}
