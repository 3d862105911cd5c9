/**
 * Lending markets, per step: interest accrues through a borrow index (kinked rate model), the
 * screen finds positions whose health factor fell below 1 at the protocol's (possibly delayed)
 * oracle, and each is liquidated exactly in base units: fixed-spread (repay up to the close
 * factor, seize collateral plus bonus) or auction (the whole position, with a share of
 * zero-bid auctions). Seized collateral is sold into its venue, which moves the price the next
 * round sees. Debt left without collateral is bad debt.
 *
 * The screen is the hot loop: typed arrays only, no bigint, no allocation.
 */
import { borrowRateBps, utilizationBps } from "../../protocol-adapters/simulated/interest-rate-model.ts";
import type { Rng } from "../paths/prng.ts";
import { sell } from "./market.ts";
import type { StepTally } from "./tally.ts";
import { BPS, RAY, toFloat, valueUsd8, type World } from "./world.ts";

const YEAR_SECONDS = 365n * 24n * 3600n;

export function accrueInterest(w: World): void {
  const L = w.lending;
  const seconds = BigInt(Math.round(w.stepHours * 3600));
  for (let r = 0; r < L.resAsset.length; r++) {
    const borrowed = L.borrowed[r]!;
    if (borrowed === 0n) continue;
    const u = L.minted[r] ? 10_000 : utilizationBps(borrowed, L.supplied[r]!);
    const rate = BigInt(borrowRateBps(w.options.rateModel, Math.min(10_000, u)));
    const growth = (L.index[r]! * rate * seconds) / (BPS * YEAR_SECONDS);
    L.index[r] = L.index[r]! + growth;
    L.indexF[r] = Number(L.index[r]!) / Number(RAY);
    const interest = (borrowed * rate * seconds) / (BPS * YEAR_SECONDS);
    L.borrowed[r] = borrowed + interest;
    // Depositors earn the interest less the reserve factor (minted: all of it is surplus).
    if (!L.minted[r]) {
      const toDepositors = (interest * BigInt(10_000 - w.options.rateModel.reserveFactorBps)) / BPS;
      L.supplied[r] = L.supplied[r]! + toDepositors;
    }
  }
}

/** Oracle prices each lending protocol sees now, as floats [slot * nA + asset] and USD-8. */
export function oraclePrices(w: World, outF: Float64Array, outUsd8: bigint[]): void {
  const L = w.lending;
  for (let s = 0; s < L.protocols.length; s++) {
    const at = Math.max(0, w.step - L.oracleDelaySteps[s]!);
    for (let a = 0; a < w.nA; a++) {
      const usd8 = at === w.step ? w.price[a]! : w.history[at * w.nA + a]!;
      outUsd8[s * w.nA + a] = usd8;
      outF[s * w.nA + a] = Number(usd8) / 1e8;
    }
  }
}

/**
 * Writes the indices of liquidatable positions into `out`, returns how many. Health factor
 * = collateral value * liquidation threshold / debt value, at the oracle.
 */
export function screenLending(w: World, oracleF: Float64Array, out: Int32Array): number {
  const L = w.lending;
  const nA = w.nA;
  const {
    posActive,
    posSlot,
    collF,
    scaledF,
    posLt,
    posCollAsset,
    posDebtAsset,
    posDebtRes,
    indexF,
    ltScale,
  } = L;
  let n = 0;
  for (let i = 0; i < posActive.length; i++) {
    if (posActive[i] === 0) continue;
    const s = posSlot[i]!;
    const c = collF[i]! * oracleF[s * nA + posCollAsset[i]!]! * posLt[i]! * ltScale[s]!;
    const d = scaledF[i]! * indexF[posDebtRes[i]!]! * oracleF[s * nA + posDebtAsset[i]!]!;
    if (c < d) out[n++] = i;
  }
  return n;
}

export type LiquidateLendingParameters = {
  w: World;
  positions: Int32Array;
  count: number;
  oracleUsd8: bigint[];
  rng: Rng;
  tally: StepTally;
  /** Collateral to sell into venues after this round, by asset (accumulated). */
  sales: bigint[];
};

export function liquidateLending(p: LiquidateLendingParameters): void {
  const { w, positions, count, oracleUsd8, rng, tally, sales } = p;
  const L = w.lending;
  for (let k = 0; k < count; k++) {
    const i = positions[k]!;
    const s = L.posSlot[i]!;
    const protocol = L.protocols[s]!;
    const r = L.posDebtRes[i]!;
    const c = L.posCollRes[i]!;
    const da = L.posDebtAsset[i]!;
    const ca = L.posCollAsset[i]!;
    const pD = oracleUsd8[s * w.nA + da]!;
    const pC = oracleUsd8[s * w.nA + ca]!;
    const scaleD = w.assets[da]!.scale;
    const scaleC = w.assets[ca]!.scale;
    const bonus = BigInt(L.bonusBps[c]!);
    let debt = (L.scaled[i]! * L.index[r]!) / RAY;
    let coll = L.coll[i]!;
    let repay: bigint;
    let seize: bigint;
    let bad = 0n;

    if (L.auction[s]) {
      // The whole vault is auctioned; keepers bid up to the debt plus penalty, at market, or
      // (congestion) nothing at all.
      seize = coll;
      const zeroBid = rng.nextFloat() < L.zeroBidShare[s]!;
      const marketValueInDebt = zeroBid
        ? 0n
        : (coll * w.price[ca]! * scaleD) / (scaleC * (w.price[da]! === 0n ? 1n : w.price[da]!));
      const wanted = (debt * (BPS + bonus)) / BPS;
      const raised = marketValueInDebt < wanted ? marketValueInDebt : wanted;
      repay = raised < debt ? raised : debt;
      bad = debt - repay;
      debt = 0n;
      coll = 0n;
    } else {
      repay = (debt * BigInt(L.closeFactorBps[s]!)) / BPS;
      // Positions whose collateral no longer covers debt plus bonus are closed out entirely.
      const collValueInDebt = pD === 0n ? 0n : (coll * pC * scaleD) / (scaleC * pD);
      if (collValueInDebt * BPS <= debt * (BPS + bonus) || repay === 0n) repay = debt;
      seize = pC === 0n ? coll : (repay * pD * scaleC * (BPS + bonus)) / (pC * scaleD * BPS);
      if (seize >= coll) {
        seize = coll;
        repay = pD === 0n ? 0n : (coll * pC * scaleD * BPS) / (pD * scaleC * (BPS + bonus));
        if (repay > debt) repay = debt;
      }
      debt -= repay;
      coll -= seize;
      if (coll === 0n && debt > 0n) {
        bad = debt;
        debt = 0n;
      }
    }

    // Books: the debt reserve is repaid (minted: burned), the collateral leaves the protocol.
    L.borrowed[r] = L.borrowed[r]! - repay - bad;
    if (L.minted[r]) L.supplied[r] = L.supplied[r]! - repay;
    else w.bal[protocol * w.nA + da] = w.bal[protocol * w.nA + da]! + repay;
    L.badDebt[r] = L.badDebt[r]! + bad;
    L.posted[c] = L.posted[c]! - seize;
    L.supplied[c] = L.supplied[c]! - seize;
    w.bal[protocol * w.nA + ca] = w.bal[protocol * w.nA + ca]! - seize;
    sales[ca] = sales[ca]! + seize;

    tally.liquidations++;
    tally.liquidationUsd8 += valueUsd8(w, da, repay + bad, pD);
    tally.badDebtUsd8 += valueUsd8(w, da, bad, pD);

    L.coll[i] = coll;
    L.collF[i] = toFloat(coll, scaleC);
    // Round scaled debt up so the protocol never forgets a unit it is owed.
    L.scaled[i] = debt === 0n ? 0n : (debt * RAY + L.index[r]! - 1n) / L.index[r]!;
    L.scaledF[i] = toFloat(L.scaled[i]!, scaleD);
    if (debt === 0n || coll === 0n) {
      L.posActive[i] = 0;
      // A repaid borrower's leftover collateral is an ordinary deposit again.
      L.posted[c] = L.posted[c]! - coll;
    }
  }
}

/** Sells what a round of liquidations seized; returns the USD-8 proceeds. */
export function sellSeized(w: World, sales: bigint[]): bigint {
  let total = 0n;
  for (let a = 0; a < w.nA; a++) {
    if (sales[a]! > 0n) total += sell(w, a, sales[a]!).proceedsUsd8;
    sales[a] = 0n;
  }
  return total;
}
