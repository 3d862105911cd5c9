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
import { addWithdrawal, unpaidTowardsHaltUsd8, withdrawDeposit } from "./liquidity.ts";
import { exactView, type SolvencyView } from "./solvency-screen.ts";
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
 * After clearing at the current step: records defaults and queues write-downs for the next step
 * (from the exact clearing, when the engine ran it: the solvency screen runs it whenever a
 * protocol is at or near a default or its halt threshold), decides halts (effective next step)
 * and sets each protocol's run intensity for the next step from the stress in `view` (the
 * screen's: the same whether or not the exact clearing ran, so runs do not depend on it).
 */
export function assessDistress(
  world: World,
  view: SolvencyView,
  exact: { sheet: BalanceSheet; solvency: Solvency } | undefined,
  record: (e: ContagionEvent) => void,
): void {
  const distress = world.distress;
  const n = world.protocolCount;
  distress.pending = exact ? marksOf(world, exact.sheet, exact.solvency, record) : [];
  const exactBookEquity = exact ? exactView(exact.sheet, exact.solvency).bookEquityUsd : undefined;

  // Observed stress.
  const haltedExposureUsd = new Float64Array(n);
  const { rowStart, column, value } = view.exposures;
  for (let i = 0; i < n; i++)
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++)
      if (distress.haltedStep[column[k]!]! >= 0) haltedExposureUsd[i] = haltedExposureUsd[i]! + value[k]!;
  let running = 0;
  for (let i = 0; i < n; i++) {
    const start = distress.startEquityUsd8[i]!;
    const startUsd = Math.max(1, usdFloat(start));
    const equityUsd = view.bookEquityUsd[i]!;
    distress.equityLossShare[i] =
      start > 0n
        ? Math.min(1, Math.max(0, (usdFloat(start) - equityUsd) / startUsd))
        : equityUsd < -1e-4
          ? 1
          : 0;
    distress.haltedExposureShare[i] = Math.min(1, haltedExposureUsd[i]! / startUsd);
    let drawdown = 0;
    for (const a of distress.exposedAssets[i]!) {
      const d = 1 - world.priceFloat[a]! / world.pathFloat[a]![0]!;
      if (d > drawdown) drawdown = d;
    }
    distress.drawdown[i] = drawdown;

    const rule = distress.rules[i]!;
    if (distress.haltedStep[i]! < 0) {
      const floor = distress.haltFloorUsd[i]!;
      // The decision at the threshold is the exact clearing's when it ran (the screen runs it
      // whenever a protocol is near its threshold); the screen's figure is as good far from it.
      const decidingEquityUsd = exactBookEquity ? exactBookEquity[i]! : equityUsd;
      const unpaid = unpaidTowardsHaltUsd8(world, i);
      const unpaidCeiling =
        rule.haltAboveUnpaidShare === undefined
          ? undefined
          : fractionOf(distress.startDepositsUsd8[i]!, rule.haltAboveUnpaidShare);
      let reason = "";
      // Dust under 1e-4 USD is not a breach; near the floor the engine cleared exactly.
      if (!Number.isNaN(floor) && decidingEquityUsd + 1e-4 < floor)
        reason = `equity ${fmt(decidingEquityUsd)} below ${rule.haltBelowEquityShare! * 100}% of its starting ${fmt(usdFloat(start))}`;
      else if (unpaidCeiling !== undefined && unpaid > unpaidCeiling && unpaid > 0n)
        reason = `unpaid withdrawals ${fmt(usdFloat(unpaid))} above ${rule.haltAboveUnpaidShare! * 100}% of its starting deposits`;
      if (reason !== "") {
        distress.haltedStep[i] = world.step + 1;
        distress.haltReason[i] = reason;
        distress.haltFloorUsd[i] = Number.NaN;
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
    if (perHour > 0) running++;
    // Protocols holding deposits here pull them for the protocol's own stress (its losses, its
    // exposure to halted peers), not for a market-wide drawdown.
    const flightPerHour = Math.min(
      run.maxPerHour,
      run.perEquityLoss * distress.equityLossShare[i]! +
        run.perHaltedExposure * distress.haltedExposureShare[i]!,
    );
    distress.flightSharePerStep[i] = flightPerHour > 0 ? 1 - (1 - flightPerHour) ** world.stepHours : 0;
  }
  distress.running = running;
}

/** Defaults the exact clearing found, and the claims on them to write down next step. */
function marksOf(
  world: World,
  sheet: BalanceSheet,
  solvency: Solvency,
  record: (e: ContagionEvent) => void,
): PendingMark[] {
  const distress = world.distress;
  for (let i = 0; i < world.protocolCount; i++) {
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
  const marks: PendingMark[] = [];
  for (const claim of sheet.claims) {
    const obligation = solvency.obligationsUsd8[claim.debtor]!;
    const payment = solvency.paymentsUsd8[claim.debtor]!;
    if (obligation - payment > BPS) marks.push({ claim, obligationUsd8: obligation, paymentUsd8: payment });
  }
  return marks;
}

/**
 * Records each protocol's equity at the first clearing and the equity floor its halt rule sets: a
 * share of that starting equity. A protocol the scenario starts insolvent (an algorithmic
 * stablecoin, Celsius) has no equity floor: only its liquidity (or the scenario's script) can
 * halt it.
 */
export function setStartEquity(world: World, equityUsd8: readonly bigint[]): void {
  const distress = world.distress;
  distress.startEquityUsd8 = [...equityUsd8];
  distress.haltFloorUsd.fill(Number.NaN);
  for (let i = 0; i < world.protocolCount; i++) {
    const share = distress.rules[i]!.haltBelowEquityShare;
    const start = equityUsd8[i]!;
    if (share === undefined || start <= 0n) continue;
    distress.haltFloorUsd[i] = usdFloat(fractionOfSigned(start, share));
  }
}

const fractionOfSigned = (amount: bigint, share: number) =>
  share >= 0 ? fractionOf(amount, share) : -fractionOf(amount, -share);

const fmt = (usd: number) => `$${(usd / 1e6).toFixed(2)}M`;

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
      if (cross.form === "deposit") {
        shrinkDepositLiability(world, cross.issuer, cross.asset, loss);
        const at = cross.issuer * world.assetCount + cross.asset;
        world.networkDepositsAt[at] = world.networkDepositsAt[at]! - loss;
      }
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
  if (distress.running === 0) return;
  const nA = world.assetCount;
  // Deposits other protocols hold at each (issuer, asset) are not the outside depositors' money.
  const networkDeposits = world.networkDepositsAt;
  for (let p = 0; p < world.protocolCount; p++) {
    const share = distress.runSharePerStep[p]!;
    if (share <= 0) continue;
    if (distress.runDemandUsd[p]! >= distress.runCapUsd[p]!) continue;
    // What outside depositors can still ask for: not yet asked, not posted as collateral, not
    // other protocols' deposits.
    const kind = world.protocols[p]!.kind;
    if (kind === "lending") {
      const lending = world.lending;
      for (let a = 0; a < nA; a++) {
        const r = world.reserveAt[p * nA + a]!;
        if (r < 0 || lending.minted[r]) continue;
        const base =
          lending.supplied[r]! - lending.posted[r]! - networkDeposits[p * nA + a]! - world.owed[p * nA + a]!;
        askRun(world, p, a, base, share);
      }
    } else if (kind === "vault") {
      const v = world.vaults[world.vaultOf[p]!]!;
      let queued = 0n;
      for (const q of v.queue) queued += q.amount;
      askRun(
        world,
        p,
        v.liabilityAsset,
        v.liabilities - world.owed[p * nA + v.liabilityAsset]! - queued,
        share,
      );
    } else if (kind === "perp") {
      const slot = world.perpSlotOf[p]!;
      const a = world.perp.collateralAsset[slot]!;
      askRun(world, p, a, world.perp.idle[slot]! - world.owed[p * nA + a]!, share);
    }
  }
  // Protocol depositors flee peers in distress.
  for (const c of world.cross) {
    if (c.form !== "deposit" || c.amount === 0n) continue;
    const share = distress.flightSharePerStep[c.issuer]!;
    if (share > 0) withdrawDeposit(world, c, fractionOf(c.amount, share));
  }
}

/** Depositors of `p` ask for `share` of `base` of `asset`, within what is left of the rule's cap. */
function askRun(world: World, p: number, asset: number, base: bigint, share: number): void {
  if (base <= 0n) return;
  const distress = world.distress;
  const room = distress.runCapUsd[p]! - distress.runDemandUsd[p]!;
  if (room <= 0) return;
  const unitUsd = world.priceFloat[asset]! / world.scaleFloat[asset]!;
  const baseUsd = Number(base) * unitUsd;
  // Within the cap: the share of `base`; at the cap, what is left of it.
  const askedShare = baseUsd * share <= room ? share : room / baseUsd;
  const amount = fractionOf(base, askedShare);
  if (amount <= 0n) return;
  distress.runDemandUsd[p] = distress.runDemandUsd[p]! + baseUsd * askedShare;
  addWithdrawal(world, p, asset, amount);
}
