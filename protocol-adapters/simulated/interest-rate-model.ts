/**
 * Kinked (two-slope) interest rate model, as in Compound and Aave: the borrow rate climbs
 * gently up to the kink utilization, then steeply. Integer bps throughout.
 */
export type KinkedRateModel = {
  baseBps: number;
  /** Borrow rate added between 0 and the kink. */
  slope1Bps: number;
  /** Borrow rate added between the kink and 100% utilization. */
  slope2Bps: number;
  kinkBps: number;
  reserveFactorBps: number;
};

export function utilizationBps(borrows: bigint, deposits: bigint): number {
  if (deposits === 0n) return 0;
  return Number((borrows * 10_000n) / deposits);
}

export function borrowRateBps(m: KinkedRateModel, uBps: number): number {
  if (uBps <= m.kinkBps) return m.baseBps + Math.floor((m.slope1Bps * uBps) / m.kinkBps);
  return m.baseBps + m.slope1Bps + Math.floor((m.slope2Bps * (uBps - m.kinkBps)) / (10_000 - m.kinkBps));
}

/** What depositors earn: borrow interest spread over all deposits, less the reserve cut. */
export function supplyRateBps(m: KinkedRateModel, uBps: number): number {
  return Math.floor((borrowRateBps(m, uBps) * uBps * (10_000 - m.reserveFactorBps)) / 10_000 / 10_000);
}
