/**
 * Perp exchanges, per step: funding moves between longs and shorts in proportion to the open
 * interest imbalance (a cumulative funding index per market, settled when a position is
 * touched); the screen finds positions whose equity fell below maintenance margin; liquidation
 * closes them at the market, the fee goes to the insurance fund, a negative balance is paid by
 * the insurance fund, then by auto-deleveraging the opposite side, and what is left is bad debt.
 * Liquidated longs are partly hedged by selling the underlying spot (price impact).
 */
import { priceToUsd8 } from "../paths/price-to-usd8.ts";
import type { StepTally } from "./tally.ts";
import { BPS, toFloat, unitsForUsd8, valueUsd8, type World } from "./world.ts";

export function accrueFunding(w: World): void {
  const P = w.perp;
  if (P.markets.length === 0) return;
  const longs = new Float64Array(P.markets.length);
  const shorts = new Float64Array(P.markets.length);
  for (let i = 0; i < P.posActive.length; i++) {
    if (!P.posActive[i]) continue;
    if (P.posSide[i]! > 0) longs[P.posMarket[i]!]! += P.sizeF[i]!;
    else shorts[P.posMarket[i]!]! += P.sizeF[i]!;
  }
  P.markets.forEach((m, j) => {
    const total = longs[j]! + shorts[j]!;
    if (total === 0) return;
    const imbalance = (longs[j]! - shorts[j]!) / total;
    const rate = (w.options.fundingBpsPerHour / 10_000) * w.stepHours * imbalance;
    m.fundingIndex += rate * w.priceF[m.asset]!;
  });
}

export function screenPerp(w: World, out: Int32Array): number {
  const P = w.perp;
  const { posActive, posMarket, posSide, sizeF, marginF, entryF, fundingEntry, markets, collAsset } = P;
  let n = 0;
  for (let i = 0; i < posActive.length; i++) {
    if (posActive[i] === 0) continue;
    const m = markets[posMarket[i]!]!;
    const price = w.priceF[m.asset]!;
    const pc = w.priceF[collAsset[w.perpSlotOf[m.protocol]!]!]!;
    const side = posSide[i]!;
    const equity =
      marginF[i]! * pc + side * sizeF[i]! * (price - entryF[i]! - (m.fundingIndex - fundingEntry[i]!));
    if (equity < (sizeF[i]! * price * m.mmBps) / 10_000) out[n++] = i;
  }
  return n;
}

/** Signed USD-8 of a float USD amount (funding), through the price boundary. */
const signedUsd8 = (x: number) => (x < 0 ? -priceToUsd8(-x) : priceToUsd8(x));

export function liquidatePerp(
  w: World,
  positions: Int32Array,
  count: number,
  tally: StepTally,
  sales: bigint[],
): void {
  const P = w.perp;
  for (let k = 0; k < count; k++) {
    const i = positions[k]!;
    const market = P.posMarket[i]!;
    const m = P.markets[market]!;
    const slot = w.perpSlotOf[m.protocol]!;
    const ca = P.collAsset[slot]!;
    const side = BigInt(P.posSide[i]!);
    const size = P.size[i]!;
    const scaleU = w.assets[m.asset]!.scale;
    const price = w.price[m.asset]!;
    const pnl = (side * size * (price - P.entryUsd8[i]!)) / scaleU;
    const funding = (side * size * signedUsd8(m.fundingIndex - P.fundingEntry[i]!)) / scaleU;
    const notional = (size * price) / scaleU;
    const fee = (notional * BigInt(m.feeBps)) / BPS;
    const equity = valueUsd8(w, ca, P.margin[i]!) + pnl - funding;

    if (equity >= fee) {
      P.insurance[slot] = P.insurance[slot]! + unitsForUsd8(w, ca, fee);
      P.idle[slot] = P.idle[slot]! + unitsForUsd8(w, ca, equity - fee);
    } else if (equity >= 0n) {
      P.insurance[slot] = P.insurance[slot]! + unitsForUsd8(w, ca, equity);
    } else {
      let loss = unitsForUsd8(w, ca, -equity) + 1n;
      const fromFund = loss < P.insurance[slot]! ? loss : P.insurance[slot]!;
      P.insurance[slot] = P.insurance[slot]! - fromFund;
      loss -= fromFund;
      if (loss > 0n) loss -= autoDeleverage(w, market, -Number(side), loss, tally);
      if (loss > 0n) {
        P.badDebt[slot] = P.badDebt[slot]! + loss;
        tally.badDebtUsd8 += valueUsd8(w, ca, loss);
      }
    }
    P.margin[i] = 0n;
    P.marginF[i] = 0;
    P.posActive[i] = 0;
    tally.liquidations++;
    tally.liquidationUsd8 += notional;
    if (side > 0n) {
      const hedge = (size * BigInt(Math.round(w.options.perpHedgeShare * 1e6))) / 1_000_000n;
      sales[m.asset] = sales[m.asset]! + hedge;
    }
  }
}

/** Takes `loss` (collateral units) from the margin of `side`'s open positions in `market`,
 *  pro rata; returns what it could take. */
function autoDeleverage(w: World, market: number, side: number, loss: bigint, tally: StepTally): bigint {
  const P = w.perp;
  let total = 0n;
  for (let j = 0; j < P.posActive.length; j++) {
    if (P.posActive[j] && P.posMarket[j] === market && P.posSide[j] === side) total += P.margin[j]!;
  }
  if (total === 0n) return 0n;
  const take = loss < total ? loss : total;
  let taken = 0n;
  const m = P.markets[market]!;
  const ca = P.collAsset[w.perpSlotOf[m.protocol]!]!;
  for (let j = 0; j < P.posActive.length; j++) {
    if (!P.posActive[j] || P.posMarket[j] !== market || P.posSide[j] !== side) continue;
    const cut = (P.margin[j]! * take) / total;
    P.margin[j] = P.margin[j]! - cut;
    P.marginF[j] = toFloat(P.margin[j]!, w.assets[ca]!.scale);
    taken += cut;
  }
  const slot = w.perpSlotOf[m.protocol]!;
  P.adl[slot] = P.adl[slot]! + taken;
  tally.adlUsd8 += valueUsd8(w, ca, taken);
  return taken;
}
