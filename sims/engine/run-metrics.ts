/**
 * What one run reports: bad debt and insolvencies, and next to them what depositors bore
 * (withdrawals asked for and not paid, times how long they waited; losses when a protocol cannot
 * repay them), the contagion (write-downs, halts), the liquidation market (liquidations that did
 * not pay for their gas or found no capital) and negotiated loans (repaid, defaulted, still open).
 *
 * Time to recovery is censored: a run that never recovers within the horizon reports
 * `recovered: false` and `recoveryHours: null`, never the horizon as if it had recovered.
 */
import type { Solvency } from "./balance-sheet.ts";
import { isHalted } from "./liquidity.ts";
import type { StepTally } from "./tally.ts";
import type { World } from "./world.ts";

export type RunTotals = {
  /** Debt that will never be repaid: liquidations that left debt without collateral, perp losses
   *  beyond insurance and ADL, and lenders' losses on defaulted inter-protocol loans. USD-8. */
  badDebtUsd8: bigint;
  /** Protocols that defaulted on network obligations during the run or are insolvent at the end,
   *  and those already insolvent at the start. */
  insolvencies: number;
  insolventAtStart: number;
  /** What insolvent protocols could not pay: claims written down during the run plus the deficits
   *  left at the end, USD-8. */
  insolventDebtUsd8: bigint;
  /** What depositors, traders and vault holders of insolvent protocols lose at the end: the
   *  protocols' external liabilities their assets no longer cover, USD-8. */
  depositorLossUsd8: bigint;
  /** Sum over steps of withdrawals owed and unpaid (frozen by halts, caps or empty tills) times the
   *  step's length: USD-8 x hours. */
  unpaidWithdrawalUsd8Hours: bigint;
  peakUnmetUsd8: bigint;
  /** Claims of protocols on defaulted peers written down to the clearing recovery rate, USD-8. */
  writeDownUsd8: bigint;
  /** Protocols that halted withdrawals (scripted or by distress) within the run. */
  halts: number;
  liquidationUsd8: bigint;
  liquidations: number;
  /** Liquidations that did not happen at a step because they would not pay for gas, or because
   *  liquidators had no capital left (counts of position-steps). */
  liquidationsSkippedForGas: number;
  liquidationsSkippedForCapital: number;
  negotiatedUsd8: bigint;
  loans: number;
  loansRepaid: number;
  defaults: number;
  /** Loans still open at the horizon. */
  loansOutstanding: number;
  /** Margined negotiated loans liquidated at least once (in part or in full). */
  loansLiquidated: number;
  /** Margined negotiated loans whose borrower added collateral at least once. */
  loansToppedUp: number;
  /** Negotiated debt repaid by liquidations, USD-8 at each liquidation's price. */
  negotiatedLiquidatedUsd8: bigint;
  adlUsd8: bigint;
  fireSaleUsd8: bigint;
  /** Hours from the first stress (a liquidation or an unpaid withdrawal) until a step with
   *  neither and prices back within 1% of their paths; null when that never came (censored). */
  recoveryHours: number | null;
  recovered: boolean;
};

export type RunMetrics = {
  insolventAtStart: number;
  badDebtUsd8: bigint;
  defaultLossUsd8: bigint;
  negotiatedUsd8: bigint;
  loansRepaid: number;
  loanDefaults: number;
  negotiatedLiquidatedUsd8: bigint;
  liquidationUsd8: bigint;
  liquidations: number;
  adlUsd8: bigint;
  fireSaleUsd8: bigint;
  peakUnmetUsd8: bigint;
  unpaidWithdrawalUsd8Hours: bigint;
  stressStart: number;
  recoveredAt: number;
  stepSeconds: bigint;
};

export function createRunMetrics(world: World): RunMetrics {
  return {
    insolventAtStart: 0,
    badDebtUsd8: 0n,
    defaultLossUsd8: 0n,
    negotiatedUsd8: 0n,
    loansRepaid: 0,
    loanDefaults: 0,
    negotiatedLiquidatedUsd8: 0n,
    liquidationUsd8: 0n,
    liquidations: 0,
    adlUsd8: 0n,
    fireSaleUsd8: 0n,
    peakUnmetUsd8: 0n,
    unpaidWithdrawalUsd8Hours: 0n,
    stressStart: -1,
    recoveredAt: -1,
    stepSeconds: BigInt(Math.round(world.stepHours * 3600)),
  };
}

/** Dust (under a dollar) left on a payout is not stress. */
const STRESS_UNMET_USD8 = 100_000_000n;

export function recordStep(metrics: RunMetrics, world: World, tally: StepTally, unmetUsd8: bigint): void {
  metrics.badDebtUsd8 += tally.badDebtUsd8;
  metrics.liquidationUsd8 += tally.liquidationUsd8;
  metrics.liquidations += tally.liquidations;
  metrics.adlUsd8 += tally.adlUsd8;
  metrics.fireSaleUsd8 += tally.fireSaleUsd8;
  if (unmetUsd8 > metrics.peakUnmetUsd8) metrics.peakUnmetUsd8 = unmetUsd8;
  metrics.unpaidWithdrawalUsd8Hours += (unmetUsd8 * metrics.stepSeconds) / 3600n;
  const stressed = tally.liquidations > 0 || unmetUsd8 > STRESS_UNMET_USD8;
  if (stressed && metrics.stressStart < 0) metrics.stressStart = world.step;
  if (stressed) metrics.recoveredAt = -1;
  else if (metrics.stressStart >= 0 && metrics.recoveredAt < 0 && pricesBackOnPath(world))
    metrics.recoveredAt = world.step;
}

function pricesBackOnPath(world: World): boolean {
  for (let a = 0; a < world.assetCount; a++)
    if (Math.abs(1 - world.outsideFactor[a]! * world.venueFactor[a]!) >= 0.01) return false;
  return true;
}

export function finishRunMetrics(metrics: RunMetrics, world: World, solvency: Solvency): RunTotals {
  const distress = world.distress;
  let insolvencies = 0;
  let insolventDebt = 0n;
  let depositorLoss = 0n;
  let writeDowns = 0n;
  let halts = 0;
  for (let i = 0; i < world.protocolCount; i++) {
    if (solvency.insolvent[i] || distress.defaultedStep[i]! >= 0) insolvencies++;
    insolventDebt += solvency.deficitUsd8[i]! + distress.writtenOffUsd8[i]!;
    const equity = solvency.equityUsd8[i]!;
    if (solvency.insolvent[i] && equity < 0n) depositorLoss -= equity;
    writeDowns += distress.writeDownLossUsd8[i]!;
    if (isHalted(world, i)) halts++;
  }
  let outstanding = 0;
  let liquidated = 0;
  let toppedUp = 0;
  for (const loan of world.loans) {
    if (loan.status === "active") outstanding++;
    if (loan.liquidated) liquidated++;
    if (loan.toppedUp) toppedUp++;
  }
  const recovered = metrics.stressStart < 0 || metrics.recoveredAt >= 0;
  return {
    badDebtUsd8: metrics.badDebtUsd8 + metrics.defaultLossUsd8,
    insolvencies,
    insolventAtStart: metrics.insolventAtStart,
    insolventDebtUsd8: insolventDebt,
    depositorLossUsd8: depositorLoss,
    unpaidWithdrawalUsd8Hours: metrics.unpaidWithdrawalUsd8Hours,
    peakUnmetUsd8: metrics.peakUnmetUsd8,
    writeDownUsd8: writeDowns,
    halts,
    liquidationUsd8: metrics.liquidationUsd8,
    liquidations: metrics.liquidations,
    liquidationsSkippedForGas: world.liquidators.skippedForGas,
    liquidationsSkippedForCapital: world.liquidators.skippedForCapital,
    negotiatedUsd8: metrics.negotiatedUsd8,
    loans: world.loans.length,
    loansRepaid: metrics.loansRepaid,
    defaults: metrics.loanDefaults,
    loansOutstanding: outstanding,
    loansLiquidated: liquidated,
    loansToppedUp: toppedUp,
    negotiatedLiquidatedUsd8: metrics.negotiatedLiquidatedUsd8,
    adlUsd8: metrics.adlUsd8,
    fireSaleUsd8: metrics.fireSaleUsd8,
    recoveryHours: !recovered
      ? null
      : metrics.stressStart < 0
        ? 0
        : (metrics.recoveredAt - metrics.stressStart) * world.stepHours,
    recovered,
  };
}
