/**
 * Liquidating lending positions, exactly in base units.
 *
 * Fixed spread (Aave, Compound): a liquidator repays up to the close factor of the debt (Aave v3:
 * 50%, and all of it once the health factor is below 0.95) and takes collateral worth the repaid
 * debt plus the bonus, at the oracle; if the collateral runs out first, it takes all of it and
 * what debt remains has no collateral: bad debt. The position's bonus and threshold are its
 * e-mode category's when it is in one.
 *
 * Auctions (Maker): the debt plus the liquidation penalty (the "tab") is raised by selling
 * collateral, and only as much collateral as that takes; the rest goes back to the vault's owner.
 * Liquidations 2.0 (dutch, Clipper): the price starts at a buffer above the oracle and falls until
 * a keeper takes it, at their margin below the market; keepers delayed by congestion take it
 * later, at a lower price. Flip (english, before November 2020): keepers bid up to the market
 * less their margin, and an auction no keeper reaches in time closes at a zero bid. What the
 * auction raises beyond the debt (the penalty) is the protocol's surplus; what it falls short of
 * the debt is bad debt.
 *
 * Liquidators act only when it pays: profit at market prices must cover this step's gas, and the
 * debt they repay comes out of their capital for the step (liquidators.ts). Seized or bought
 * collateral is sold into the market after each round.
 */
import type { Rng } from "../paths/prng.ts";
import { AUCTION_DUTCH, AUCTION_NONE } from "./build-lending.ts";
import { capitalLeftUsd, gasCostUsd } from "./liquidators.ts";
import type { StepTally } from "./tally.ts";
import { BPS, minBig, RAY, toFloat, usd8Of, valueUsd8, type World } from "./world.ts";

// ---------------------------------------------------------------------------------------------
// The rules, as pure functions (hand-checked in lending-liquidation.test.ts)
// ---------------------------------------------------------------------------------------------

export type FixedSpreadParameters = {
  debt: bigint;
  collateral: bigint;
  debtPriceUsd8: bigint;
  collateralPriceUsd8: bigint;
  debtScale: bigint;
  collateralScale: bigint;
  /** Liquidation threshold in force (after any de-risking), bps. */
  thresholdBps: bigint;
  bonusBps: bigint;
  closeFactorBps: bigint;
  /** Health factor below which the whole debt may be repaid, bps; 0 = never. */
  fullCloseBelowHealthBps: bigint;
};

export type FixedSpreadResult = { repay: bigint; seize: bigint; fullClose: boolean };

/** How much debt a fixed-spread liquidation repays and how much collateral it seizes. */
export function fixedSpreadLiquidation(p: FixedSpreadParameters): FixedSpreadResult {
  const collateralValue = (p.collateral * p.collateralPriceUsd8) / p.collateralScale;
  const debtValue = (p.debt * p.debtPriceUsd8) / p.debtScale;
  // health factor < threshold  <=>  collateralValue * thresholdBps / BPS < debtValue * fullCloseBps / BPS
  const fullClose =
    p.fullCloseBelowHealthBps > 0n &&
    collateralValue * p.thresholdBps < debtValue * p.fullCloseBelowHealthBps;
  let repay = (p.debt * (fullClose ? BPS : p.closeFactorBps)) / BPS;
  if (repay === 0n) repay = p.debt;
  return capBySeizable(p, repay, fullClose);
}

/** Collateral for `repay` plus the bonus; if there is not enough, all of it, for less debt. */
function capBySeizable(p: FixedSpreadParameters, wanted: bigint, fullClose: boolean): FixedSpreadResult {
  let repay = wanted;
  const { debtPriceUsd8: pD, collateralPriceUsd8: pC, debtScale: sD, collateralScale: sC } = p;
  let seize = pC === 0n ? p.collateral : (repay * pD * sC * (BPS + p.bonusBps)) / (pC * sD * BPS);
  if (seize >= p.collateral) {
    seize = p.collateral;
    repay = pD === 0n ? 0n : (p.collateral * pC * sD * BPS) / (pD * sC * (BPS + p.bonusBps));
    if (repay > wanted) repay = wanted;
  }
  return { repay, seize, fullClose };
}

/** A fixed-spread liquidation limited to `maxRepay` of debt (liquidators' capital). */
export function fixedSpreadLiquidationUpTo(p: FixedSpreadParameters, maxRepay: bigint): FixedSpreadResult {
  const full = fixedSpreadLiquidation(p);
  if (full.repay <= maxRepay) return full;
  return capBySeizable(p, maxRepay, full.fullClose);
}

export type AuctionParameters = {
  debt: bigint;
  collateral: bigint;
  /** Liquidation penalty (Maker's chop), bps of the debt. */
  penaltyBps: bigint;
  debtScale: bigint;
  collateralScale: bigint;
  /** Oracle prices the auction is priced from, and market prices keepers trade at, USD-8. */
  oracleCollateralUsd8: bigint;
  oracleDebtUsd8: bigint;
  marketCollateralUsd8: bigint;
  marketDebtUsd8: bigint;
  /** Keepers' margin below the market, ppm. */
  keeperMarginPpm: bigint;
  /** Whether no keeper reached the auction in time (congestion). */
  late: boolean;
};

export type DutchAuctionParameters = AuctionParameters & {
  /** Starting price as a multiple of the oracle price, ppm (Maker's buf). */
  startBufferPpm: bigint;
  /** Price left after the auction's whole duration, ppm of the start ((1 - decay)^hours). */
  endShareOfStartPpm: bigint;
};

export type AuctionResult = {
  /** Collateral sold, and debt-asset units raised for it. */
  sold: bigint;
  raised: bigint;
  /** Price paid per whole collateral token, in debt-asset base units. */
  price: bigint;
};

/** Price per whole collateral token, in debt-asset base units, of `usd8` per token. */
const inDebt = (collateralUsd8: bigint, debtUsd8: bigint, debtScale: bigint) =>
  debtUsd8 === 0n ? 0n : (collateralUsd8 * debtScale) / debtUsd8;

function settle(p: AuctionParameters, price: bigint): AuctionResult {
  const tab = (p.debt * (BPS + p.penaltyBps)) / BPS;
  if (price === 0n) return { sold: p.collateral, raised: 0n, price };
  // Collateral needed for the tab, rounded up; at most all of it.
  const needed = (tab * p.collateralScale + price - 1n) / price;
  const sold = needed < p.collateral ? needed : p.collateral;
  const raised = sold === needed ? tab : (sold * price) / p.collateralScale;
  return { sold, raised, price };
}

/** Liquidations 2.0: the keeper's price is the start price decayed until it is their margin
 *  below the market, or, if they come late, the price at the end of the auction. */
export function dutchAuction(p: DutchAuctionParameters): AuctionResult {
  const start =
    (inDebt(p.oracleCollateralUsd8, p.oracleDebtUsd8, p.debtScale) * p.startBufferPpm) / 1_000_000n;
  const keeper =
    (inDebt(p.marketCollateralUsd8, p.marketDebtUsd8, p.debtScale) * (1_000_000n - p.keeperMarginPpm)) /
    1_000_000n;
  let price = keeper < start ? keeper : start;
  if (p.late) {
    const end = (start * p.endShareOfStartPpm) / 1_000_000n;
    if (end < price) price = end;
  }
  return settle(p, price);
}

/** Flip: keepers bid up to the market less their margin; a late auction closes at zero. */
export function englishAuction(p: AuctionParameters): AuctionResult {
  if (p.late) return { sold: p.collateral, raised: 0n, price: 0n };
  const bid =
    (inDebt(p.marketCollateralUsd8, p.marketDebtUsd8, p.debtScale) * (1_000_000n - p.keeperMarginPpm)) /
    1_000_000n;
  return settle(p, bid);
}

// ---------------------------------------------------------------------------------------------
// Applying them to the engine's books
// ---------------------------------------------------------------------------------------------

export type LiquidateLendingParameters = {
  world: World;
  positions: Int32Array;
  count: number;
  rng: Rng;
  tally: StepTally;
  /** Collateral to sell into the market after this round, by asset (accumulated). */
  sales: bigint[];
};

export function liquidateLending(p: LiquidateLendingParameters): void {
  const { world, positions, count, rng, tally, sales } = p;
  const lending = world.lending;
  const nA = world.assetCount;
  const gasUsd = gasCostUsd(world);
  const keeperMarginPpm = BigInt(Math.round(world.liquidators.keeperMargin * 1e6));
  // Liquidators take the largest positions first (the bonus makes them the most profitable).
  const order = largestDebtFirst(world, positions, count);
  for (const i of order) {
    const slot = lending.positionSlot[i]!;
    // Positions whose liquidation cannot pay for its gas stay underwater step after step (dust):
    // a float upper bound of the fixed-spread profit skips the exact arithmetic for them.
    if (lending.auctionStyle[slot] === AUCTION_NONE && fixedSpreadProfitBoundUsd(world, i) < gasUsd) {
      world.liquidators.skippedForGas++;
      continue;
    }
    const protocol = lending.protocols[slot]!;
    const debtReserve = lending.positionDebtReserve[i]!;
    const collateralReserve = lending.positionCollateralReserve[i]!;
    const debtAsset = lending.positionDebtAsset[i]!;
    const collateralAsset = lending.positionCollateralAsset[i]!;
    const oracleDebt = lending.oracleAnswerUsd8[slot * nA + debtAsset]!;
    const oracleCollateral = lending.oracleAnswerUsd8[slot * nA + collateralAsset]!;
    const marketDebt = world.price[debtAsset]!;
    const marketCollateral = world.price[collateralAsset]!;
    const debtScale = world.assets[debtAsset]!.scale;
    const collateralScale = world.assets[collateralAsset]!.scale;
    const debt = (lending.scaledDebt[i]! * lending.borrowIndex[debtReserve]!) / RAY;
    const collateral = lending.collateral[i]!;
    const capitalUsd = capitalLeftUsd(world);
    if (capitalUsd <= 0) {
      world.liquidators.skippedForCapital++;
      continue;
    }
    // Liquidators' capital bounds what they repay; it binds only when it is short of the debt.
    const debtUsd = toFloat(debt, debtScale) * world.priceFloat[debtAsset]!;
    const maxRepay =
      debtUsd <= capitalUsd || marketDebt === 0n ? debt : (usd8Of(capitalUsd) * debtScale) / marketDebt;

    let repay: bigint;
    let seize: bigint;
    let bad = 0n;
    let surplus = 0n;
    let leftover = 0n;
    if (lending.auctionStyle[slot] !== AUCTION_NONE) {
      const late = rng.nextFloat() < lending.noKeeperShare[slot]! * world.liquidators.congestion;
      const auction = {
        debt,
        collateral,
        penaltyBps: BigInt(lending.positionBonusBps[i]!),
        debtScale,
        collateralScale,
        oracleCollateralUsd8: oracleCollateral,
        oracleDebtUsd8: oracleDebt,
        marketCollateralUsd8: marketCollateral,
        marketDebtUsd8: marketDebt,
        keeperMarginPpm,
        late,
      };
      const result =
        lending.auctionStyle[slot] === AUCTION_DUTCH
          ? dutchAuction({
              ...auction,
              startBufferPpm: BigInt(Math.round(lending.auctionStartBuffer[slot]! * 1e6)),
              endShareOfStartPpm: BigInt(
                Math.round((1 - lending.auctionDecayPerHour[slot]!) ** lending.auctionHours[slot]! * 1e6),
              ),
            })
          : englishAuction(auction);
      // Keepers pay the whole tab (debt plus penalty) out of their capital.
      if (toFloat(result.raised, debtScale) * world.priceFloat[debtAsset]! > capitalUsd) {
        world.liquidators.skippedForCapital++;
        continue;
      }
      // The keeper's profit: collateral at market less what they paid, less gas.
      if (profitUsd(world, collateralAsset, result.sold, debtAsset, result.raised) < gasUsd) {
        world.liquidators.skippedForGas++;
        continue;
      }
      seize = result.sold;
      repay = minBig(result.raised, debt);
      surplus = result.raised - repay;
      bad = debt - repay;
      leftover = collateral - seize;
    } else {
      const rule = {
        debt,
        collateral,
        debtPriceUsd8: oracleDebt,
        collateralPriceUsd8: oracleCollateral,
        debtScale,
        collateralScale,
        thresholdBps: BigInt(Math.floor(lending.positionThresholdBps[i]! * lending.thresholdScale[slot]!)),
        bonusBps: BigInt(lending.positionBonusBps[i]!),
        closeFactorBps: BigInt(lending.closeFactorBps[slot]!),
        fullCloseBelowHealthBps: BigInt(lending.fullCloseBelowHealthBps[slot]!),
      };
      const result = fixedSpreadLiquidationUpTo(rule, maxRepay);
      if (result.repay === 0n && result.seize === 0n) continue;
      if (profitUsd(world, collateralAsset, result.seize, debtAsset, result.repay) < gasUsd) {
        world.liquidators.skippedForGas++;
        continue;
      }
      repay = result.repay;
      seize = result.seize;
      if (seize === collateral && debt > repay) bad = debt - repay;
    }
    world.liquidators.usedUsd += toFloat(repay + surplus, debtScale) * world.priceFloat[debtAsset]!;

    // Books: the debt reserve is repaid (minted: burned), the collateral leaves the protocol.
    const remainingDebt = debt - repay - bad;
    lending.borrowed[debtReserve] = lending.borrowed[debtReserve]! - repay - bad;
    if (lending.minted[debtReserve]) lending.supplied[debtReserve] = lending.supplied[debtReserve]! - repay;
    else world.balance[protocol * nA + debtAsset] = world.balance[protocol * nA + debtAsset]! + repay;
    if (surplus > 0n)
      lending.treasuryUsd8[slot] = lending.treasuryUsd8[slot]! + valueUsd8(world, debtAsset, surplus);
    lending.badDebt[debtReserve] = lending.badDebt[debtReserve]! + bad;
    lending.posted[collateralReserve] = lending.posted[collateralReserve]! - seize;
    lending.supplied[collateralReserve] = lending.supplied[collateralReserve]! - seize;
    world.balance[protocol * nA + collateralAsset] = world.balance[protocol * nA + collateralAsset]! - seize;
    sales[collateralAsset] = sales[collateralAsset]! + seize;

    tally.liquidations++;
    const liquidatedUsd8 = valueUsd8(world, debtAsset, repay + bad, oracleDebt);
    tally.liquidationUsd8 += liquidatedUsd8;
    const market = slot * nA + collateralAsset;
    lending.liquidatedDebtUsd8[market] = lending.liquidatedDebtUsd8[market]! + liquidatedUsd8;
    lending.seizedCollateralUsd8[market] =
      lending.seizedCollateralUsd8[market]! + valueUsd8(world, collateralAsset, seize, oracleCollateral);
    if (bad > 0n) {
      const badUsd8 = valueUsd8(world, debtAsset, bad, oracleDebt);
      tally.badDebtUsd8 += badUsd8;
      lending.badDebtByMarketUsd8[market] = lending.badDebtByMarketUsd8[market]! + badUsd8;
    }

    const collateralLeft = collateral - seize;
    lending.collateral[i] = collateralLeft;
    lending.collateralFloat[i] = toFloat(collateralLeft, collateralScale);
    // Round scaled debt up so the protocol never forgets a unit it is owed.
    const index = lending.borrowIndex[debtReserve]!;
    lending.scaledDebt[i] = remainingDebt === 0n ? 0n : (remainingDebt * RAY + index - 1n) / index;
    lending.scaledDebtFloat[i] = toFloat(lending.scaledDebt[i]!, debtScale);
    // Auctions settle the whole debt (leftover collateral goes back); fixed spread closes a
    // position when its debt or its collateral is gone.
    if (remainingDebt === 0n || collateralLeft === 0n || leftover > 0n) {
      lending.positionActive[i] = 0;
      // A closed position's leftover collateral is an ordinary deposit again (Maker: back to the
      // vault's owner, who may withdraw it like any depositor).
      lending.posted[collateralReserve] = lending.posted[collateralReserve]! - collateralLeft;
    }
  }
}

/**
 * At least the profit at market prices of liquidating position `i` by fixed spread, USD, in
 * floats: the same rule as fixedSpreadLiquidation (close factor, or all of it below the full-close
 * health factor, given the benefit of the doubt at the boundary; collateral for the repaid debt
 * plus bonus, at most all of it), without liquidators' capital (which can only lower the profit),
 * rounded up by a relative 1e-6 (floats against base units). Infinity when an oracle price is 0.
 */
export function fixedSpreadProfitBoundUsd(world: World, i: number): number {
  const lending = world.lending;
  const nA = world.assetCount;
  const slot = lending.positionSlot[i]!;
  const debtAsset = lending.positionDebtAsset[i]!;
  const collateralAsset = lending.positionCollateralAsset[i]!;
  const oracleDebt = Number(lending.oracleAnswerUsd8[slot * nA + debtAsset]!);
  const oracleCollateral = Number(lending.oracleAnswerUsd8[slot * nA + collateralAsset]!);
  if (oracleDebt <= 0 || oracleCollateral <= 0) return Number.POSITIVE_INFINITY;
  const debt = lending.scaledDebtFloat[i]! * lending.borrowIndexFloat[lending.positionDebtReserve[i]!]!;
  const collateral = lending.collateralFloat[i]!;
  const threshold = (lending.positionThresholdBps[i]! * lending.thresholdScale[slot]!) / 10_000;
  const bonus = lending.positionBonusBps[i]! / 10_000;
  const fullCloseBelow = lending.fullCloseBelowHealthBps[slot]! / 10_000;
  const health = (collateral * oracleCollateral * threshold) / (debt * oracleDebt);
  const share =
    fullCloseBelow > 0 && health < fullCloseBelow * (1 + 1e-6) ? 1 : lending.closeFactorBps[slot]! / 10_000;
  let repay = debt * share;
  let seize = (repay * oracleDebt * (1 + bonus)) / oracleCollateral;
  if (seize >= collateral) {
    seize = collateral;
    repay = Math.min(repay, (collateral * oracleCollateral) / (oracleDebt * (1 + bonus)));
  }
  const profit = seize * world.priceFloat[collateralAsset]! - repay * world.priceFloat[debtAsset]!;
  return profit + Math.abs(profit) * 1e-6 + 1e-6;
}

/** A liquidator's profit at market prices, USD: collateral it gets less debt it pays (a model
 *  decision, in floats). */
function profitUsd(
  world: World,
  collateralAsset: number,
  got: bigint,
  debtAsset: number,
  paid: bigint,
): number {
  return (
    toFloat(got, world.assets[collateralAsset]!.scale) * world.priceFloat[collateralAsset]! -
    toFloat(paid, world.assets[debtAsset]!.scale) * world.priceFloat[debtAsset]!
  );
}

/**
 * The order liquidators take hit positions in: largest debt at market first (the bonus makes them
 * the most profitable), which matters only when their capital for the step cannot cover every
 * position; otherwise the screen's order.
 */
function largestDebtFirst(world: World, positions: Int32Array, count: number): Int32Array {
  const lending = world.lending;
  const hits = positions.subarray(0, count);
  const debtUsd = (i: number) =>
    lending.scaledDebtFloat[i]! *
    lending.borrowIndexFloat[lending.positionDebtReserve[i]!]! *
    world.priceFloat[lending.positionDebtAsset[i]!]!;
  let total = 0;
  for (let k = 0; k < count; k++) total += debtUsd(hits[k]!);
  if (total <= capitalLeftUsd(world)) return hits;
  const value = Float64Array.from(hits, debtUsd);
  const order = Int32Array.from(hits.keys());
  order.sort((a, b) => value[b]! - value[a]! || hits[a]! - hits[b]!);
  return order.map((k) => hits[k]!);
}

/** Sells what a round of liquidations seized; returns the USD-8 proceeds. */
export function sellSeized(
  world: World,
  sales: bigint[],
  sell: (a: number, amount: bigint) => bigint,
): bigint {
  let total = 0n;
  for (let a = 0; a < world.assetCount; a++) {
    if (sales[a]! > 0n) total += sell(a, sales[a]!);
    sales[a] = 0n;
  }
  return total;
}
