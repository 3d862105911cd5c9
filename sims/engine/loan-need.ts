/**
 * When a protocol should seek a loan, and for how much. A loan is sought only when it changes the
 * borrower's outcome: withdrawals it owes now exceed what it can pay from cash and from its own
 * deposits at peers, so without the loan depositors go unpaid, a vault fire-sells its illiquid
 * backing, or the shortfall pushes it towards its halt threshold. It asks for enough to cover
 * that shortfall and the withdrawals it is seeing, for a coverage window, and never less than a
 * minimum size: one loan for the episode rather than a dust loan every hour.
 */
import { isHalted, redemptionValue, spendable } from "./liquidity.ts";
import { minBig, unitsForUsd8, valueUsd8, type World } from "./world.ts";

export type LoanNeedParameters = {
  /** Smallest loan worth arranging, USD-8. */
  minLoanUsd8: bigint;
  /** Steps of this step's withdrawals the loan should also cover. */
  coverageSteps: number;
};

export type LoanNeed = {
  asset: number;
  /** What the protocol cannot pay now, in `asset`'s base units. */
  shortfall: bigint;
  /** What to ask for: the shortfall, plus withdrawals over the coverage window, at least the minimum. */
  principal: bigint;
  /** What happens without the loan. */
  without: "unpaid withdrawals" | "fire sale";
};

export function loanNeed(world: World, p: number, o: LoanNeedParameters): LoanNeed | undefined {
  if (isHalted(world, p)) return undefined;
  const nA = world.assetCount;
  const vaultIndex = world.vaultOf[p]!;
  if (vaultIndex >= 0) {
    const v = world.vaults[vaultIndex]!;
    if (v.mode === "paused" || v.gated) return undefined;
    let owed = world.owed[p * nA + v.liabilityAsset]!;
    if (v.capPerStep !== undefined && owed > v.capPerStep) owed = v.capPerStep;
    if (owed === 0n) return undefined;
    let payout = v.parAsset;
    if (payout < 0)
      for (let a = 0; a < nA && payout < 0; a++) if (world.balance[p * nA + a]! > 0n) payout = a;
    if (payout < 0) payout = v.liabilityAsset;
    let liquidUsd8 = 0n;
    for (let a = 0; a < nA; a++) liquidUsd8 += valueUsd8(world, a, world.balance[p * nA + a]!);
    const shortUsd8 = redemptionValue(world, v, owed) - liquidUsd8;
    if (shortUsd8 <= 0n) return undefined;
    const askedUsd8 = redemptionValue(world, v, world.asked[p * nA + v.liabilityAsset]!);
    const hasIlliquid = v.held.some((h) => h.liquidity === "illiquid" && h.amount > 0n);
    return sized(world, payout, shortUsd8, askedUsd8, o, hasIlliquid ? "fire sale" : "unpaid withdrawals");
  }
  for (let a = 0; a < nA; a++) {
    const owed = world.owed[p * nA + a]!;
    if (owed === 0n) continue;
    let available = spendable(world, p, a);
    for (const c of world.depositsHeldBy[p]!) {
      if (c.asset !== a || c.amount === 0n || isHalted(world, c.issuer)) continue;
      const there = spendable(world, c.issuer, a);
      available += minBig(c.amount, there);
    }
    if (owed <= available) continue;
    const shortUsd8 = valueUsd8(world, a, owed - available);
    const askedUsd8 = valueUsd8(world, a, world.asked[p * nA + a]!);
    return sized(world, a, shortUsd8, askedUsd8, o, "unpaid withdrawals");
  }
  return undefined;
}

function sized(
  world: World,
  asset: number,
  shortUsd8: bigint,
  askedUsd8: bigint,
  o: LoanNeedParameters,
  without: LoanNeed["without"],
): LoanNeed {
  let wantedUsd8 = shortUsd8 + askedUsd8 * BigInt(Math.max(0, Math.round(o.coverageSteps)));
  if (wantedUsd8 < o.minLoanUsd8) wantedUsd8 = o.minLoanUsd8;
  return {
    asset,
    shortfall: unitsForUsd8(world, asset, shortUsd8),
    principal: unitsForUsd8(world, asset, wantedUsd8),
    without,
  };
}
