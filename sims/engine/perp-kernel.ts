/**
 * Perp exchanges, per step: funding moves between longs and shorts in proportion to the open
 * interest imbalance (a cumulative funding index per market, settled when a position is
 * touched); the screen finds positions whose equity fell below maintenance margin; liquidation
 * closes them at the market, the fee goes to the insurance fund, a negative balance is paid by
 * the insurance fund, then by auto-deleveraging (ADL) the most profitable positions on the other
 * side, and what is left is bad debt. Liquidated longs are partly hedged by selling the
 * underlying spot (price impact).
 *
 * ADL (as BitMEX, Binance and dYdX do it): opposite positions are ranked by profit share times
 * effective leverage, (pnl / margin) x (notional / equity), and the first ones are closed, for
 * as much size as the bankrupt position had, at its bankruptcy price: each gives up its share
 * of the deficit, keeps the rest of its profit (paid to its free collateral), and the remainder
 * of its position stays open.
 */
import { priceToUsd8 } from "../paths/price-to-usd8.ts";
import type { StepTally } from "./tally.ts";
import { BPS, fractionOf, minBig, toFloat, unitsForUsd8, valueUsd8, type World } from "./world.ts";

export function accrueFunding(world: World): void {
  const perp = world.perp;
  if (perp.markets.length === 0) return;
  const longs = new Float64Array(perp.markets.length);
  const shorts = new Float64Array(perp.markets.length);
  for (let i = 0; i < perp.positionActive.length; i++) {
    if (!perp.positionActive[i]) continue;
    if (perp.positionSide[i]! > 0) longs[perp.positionMarket[i]!]! += perp.sizeFloat[i]!;
    else shorts[perp.positionMarket[i]!]! += perp.sizeFloat[i]!;
  }
  perp.markets.forEach((m, j) => {
    const total = longs[j]! + shorts[j]!;
    if (total === 0) return;
    const imbalance = (longs[j]! - shorts[j]!) / total;
    const rate = (world.options.fundingBpsPerHour / 10_000) * world.stepHours * imbalance;
    m.fundingIndex += rate * world.priceFloat[m.asset]!;
  });
}

export function screenPerp(world: World, out: Int32Array): number {
  const perp = world.perp;
  const {
    positionActive,
    positionMarket,
    positionSide,
    sizeFloat,
    marginFloat,
    entryFloat,
    fundingEntry,
    markets,
    collateralAsset,
  } = perp;
  let n = 0;
  for (let i = 0; i < positionActive.length; i++) {
    if (positionActive[i] === 0) continue;
    const m = markets[positionMarket[i]!]!;
    const price = world.priceFloat[m.asset]!;
    const collateralPrice = world.priceFloat[collateralAsset[world.perpSlotOf[m.protocol]!]!]!;
    const side = positionSide[i]!;
    const equity =
      marginFloat[i]! * collateralPrice +
      side * sizeFloat[i]! * (price - entryFloat[i]! - (m.fundingIndex - fundingEntry[i]!));
    if (equity < (sizeFloat[i]! * price * m.maintenanceMarginBps) / 10_000) out[n++] = i;
  }
  return n;
}

/** Signed USD-8 of a float USD amount (funding), through the price boundary. */
const signedUsd8 = (x: number) => (x < 0 ? -priceToUsd8(-x) : priceToUsd8(x));

/** A position's unrealised profit at the market, funding included, USD-8. */
function unrealisedUsd8(world: World, i: number): bigint {
  const perp = world.perp;
  const m = perp.markets[perp.positionMarket[i]!]!;
  const side = BigInt(perp.positionSide[i]!);
  const scale = world.assets[m.asset]!.scale;
  const size = perp.size[i]!;
  const pnl = (side * size * (world.price[m.asset]! - perp.entryUsd8[i]!)) / scale;
  const funding = (side * size * signedUsd8(m.fundingIndex - perp.fundingEntry[i]!)) / scale;
  return pnl - funding;
}

export function liquidatePerp(
  world: World,
  positions: Int32Array,
  count: number,
  tally: StepTally,
  sales: bigint[],
): void {
  const perp = world.perp;
  for (let k = 0; k < count; k++) {
    const i = positions[k]!;
    if (!perp.positionActive[i]) continue; // closed by ADL earlier in this round
    const market = perp.positionMarket[i]!;
    const m = perp.markets[market]!;
    const slot = world.perpSlotOf[m.protocol]!;
    const collateral = perp.collateralAsset[slot]!;
    const side = perp.positionSide[i]!;
    const size = perp.size[i]!;
    const scale = world.assets[m.asset]!.scale;
    const notional = (size * world.price[m.asset]!) / scale;
    const fee = (notional * BigInt(m.feeBps)) / BPS;
    const equity = valueUsd8(world, collateral, perp.margin[i]!) + unrealisedUsd8(world, i);
    perp.margin[i] = 0n;
    perp.marginFloat[i] = 0;
    perp.positionActive[i] = 0;

    if (equity >= fee) {
      perp.insurance[slot] = perp.insurance[slot]! + unitsForUsd8(world, collateral, fee);
      perp.idle[slot] = perp.idle[slot]! + unitsForUsd8(world, collateral, equity - fee);
    } else if (equity >= 0n) {
      perp.insurance[slot] = perp.insurance[slot]! + unitsForUsd8(world, collateral, equity);
    } else {
      let loss = unitsForUsd8(world, collateral, -equity) + 1n;
      const fromFund = loss < perp.insurance[slot]! ? loss : perp.insurance[slot]!;
      perp.insurance[slot] = perp.insurance[slot]! - fromFund;
      loss -= fromFund;
      if (loss > 0n) {
        const covered = autoDeleverage({ world, market, bankruptSide: side, bankruptSize: size, loss });
        perp.adl[slot] = perp.adl[slot]! + covered;
        tally.adlUsd8 += valueUsd8(world, collateral, covered);
        loss -= covered;
      }
      if (loss > 0n) {
        perp.badDebt[slot] = perp.badDebt[slot]! + loss;
        tally.badDebtUsd8 += valueUsd8(world, collateral, loss);
      }
    }
    tally.liquidations++;
    tally.liquidationUsd8 += notional;
    if (side > 0) sales[m.asset] = sales[m.asset]! + fractionOf(size, world.options.perpHedgeShare);
  }
}

export type AutoDeleverageParameters = {
  world: World;
  market: number;
  /** Side (+1 long, -1 short) and size of the bankrupt position. */
  bankruptSide: number;
  bankruptSize: bigint;
  /** Its deficit after the insurance fund, collateral units. */
  loss: bigint;
};

/** ADL ranking score: profit share of margin times effective leverage; 0 for losing positions. */
export function adlScore(world: World, i: number): number {
  const perp = world.perp;
  const m = perp.markets[perp.positionMarket[i]!]!;
  const collateral = perp.collateralAsset[world.perpSlotOf[m.protocol]!]!;
  const margin = Number(valueUsd8(world, collateral, perp.margin[i]!));
  const pnl = Number(unrealisedUsd8(world, i));
  if (pnl <= 0 || margin <= 0) return 0;
  const notional = Number((perp.size[i]! * world.price[m.asset]!) / world.assets[m.asset]!.scale);
  return (pnl / margin) * (notional / (margin + pnl));
}

/**
 * Closes the best-ranked opposite positions, for up to the bankrupt position's size, at its
 * bankruptcy price: each gives up (its closed size / bankrupt size) of the deficit and receives
 * its margin and the rest of its profit on the closed part as free collateral. Returns the part
 * of `loss` covered (collateral units).
 */
export function autoDeleverage(p: AutoDeleverageParameters): bigint {
  const { world, market, bankruptSide, bankruptSize, loss } = p;
  const perp = world.perp;
  const m = perp.markets[market]!;
  const slot = world.perpSlotOf[m.protocol]!;
  const collateral = perp.collateralAsset[slot]!;
  const scale = world.assets[collateral]!.scale;
  const ranked: { i: number; score: number }[] = [];
  for (let j = 0; j < perp.positionActive.length; j++) {
    if (
      !perp.positionActive[j] ||
      perp.positionMarket[j] !== market ||
      perp.positionSide[j] !== -bankruptSide
    )
      continue;
    const score = adlScore(world, j);
    if (score > 0) ranked.push({ i: j, score });
  }
  ranked.sort((a, b) => b.score - a.score || a.i - b.i);
  let sizeLeft = bankruptSize;
  let covered = 0n;
  for (const { i } of ranked) {
    if (sizeLeft === 0n || covered >= loss) break;
    const size = perp.size[i]!;
    const closed = minBig(size, sizeLeft);
    // Its share of the deficit, rounded up, never more than what is still uncovered.
    let share = (loss * closed + bankruptSize - 1n) / bankruptSize;
    if (share > loss - covered) share = loss - covered;
    const released = (perp.margin[i]! * closed) / size;
    const profit = unitsForUsd8(world, collateral, (unrealisedUsd8(world, i) * closed) / size);
    // What the trader keeps of the closed part: margin plus profit less the deficit share. The
    // ranking only takes profitable positions, so profit is positive; the share is capped by it.
    const taken = share < released + profit ? share : released + profit;
    perp.idle[slot] = perp.idle[slot]! + released + profit - taken;
    covered += taken;
    perp.size[i] = size - closed;
    perp.margin[i] = perp.margin[i]! - released;
    perp.sizeFloat[i] = toFloat(perp.size[i]!, world.assets[m.asset]!.scale);
    perp.marginFloat[i] = toFloat(perp.margin[i]!, scale);
    if (perp.size[i] === 0n) perp.positionActive[i] = 0;
    sizeLeft -= closed;
  }
  return covered;
}
