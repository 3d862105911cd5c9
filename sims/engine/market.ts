/**
 * Prices, pools, the outside market and arbitrage.
 *
 * An asset's market price is its scenario path (the outside market: exchanges, OTC) times two
 * dislocations the engine's own selling causes:
 *   - outside: selling pressure on the outside market's books moves its price by a square-root
 *     law through the declared depth (priceMove at depthUsd: "2% depth"), up to
 *     `maxOutsideDislocation`; the books absorb the pressure at `refillPerHour`;
 *   - pool: a sale into the asset's scenario pool moves the pool price along its curve, but only
 *     down to the arbitrage band below the outside price: from there arbitrageurs buy in the pool
 *     and resell outside, up to their capacity per step (capital times the round trips their
 *     latency allows). Beyond that capacity a seller must reach the outside market itself, which
 *     costs it the band again, so the pool takes sales down to twice the band and the outside
 *     market the rest. All of it lands on the outside market's books, whose stated depth bounds
 *     the price. Between steps, arbitrageurs lift a pool left below the band with the next step's
 *     capacity; inside the band ordinary flow closes the gap at arbitrageRecoveryPerHour.
 * An asset without a pool is sold on the outside market directly. There is no fallback pool: the
 * scenario declares every sold asset's outside market.
 */
import {
  equilibriumReserves,
  priceImpactFactor,
  swapOut,
} from "../../protocol-adapters/simulated/constant-product.ts";
import { EngineSetupError } from "./errors.ts";
import {
  fractionOf,
  minBig,
  outsidePriceFloat,
  setPrice,
  setPricesAt,
  unitsForUsd8,
  usd8Of,
  type Venue,
  valueUsd8,
  type World,
} from "./world.ts";

/** Starts step `step`: books refill, arbitrageurs lift pools that sit below their band (with this
 *  step's capacity), ordinary flow narrows the rest, prices move to the paths, pools re-centre. */
export function openStep(world: World, step: number): void {
  world.step = step;
  const outside = world.outside;
  const keepGap = (1 - world.options.arbitrageRecoveryPerHour) ** world.stepHours;
  for (let a = 0; a < world.assetCount; a++) {
    outside.arbitrageUsedUsd[a] = 0;
    outside.pressureUsd[a] = outside.pressureUsd[a]! * outside.keepPerStep[a]!;
    world.outsideFactor[a] = 1 - dislocation(world, a, outside.pressureUsd[a]!);
    const v = world.venueOf[a]!;
    if (v >= 0 && outside.declared[a]) liftPool(world, a, world.venues[v]!);
    world.venueFactor[a] = 1 - (1 - world.venueFactor[a]!) * keepGap;
  }
  setPricesAt(world, step);
  for (const v of world.venues) recentre(world, v);
}

export function recentre(world: World, v: Venue): void {
  const { x, y } = equilibriumReserves({
    k: v.k,
    priceXUsd8: world.price[v.x]!,
    priceYUsd8: world.price[v.y]!,
    decimalsX: world.assets[v.x]!.decimals,
    decimalsY: world.assets[v.y]!.decimals,
  });
  v.rx = x;
  v.ry = y;
}

/** Dislocation of asset `a`'s outside market under `pressureUsd` of unabsorbed selling. */
function dislocation(world: World, a: number, pressureUsd: number): number {
  const depth = world.outside.depthUsd[a]!;
  if (pressureUsd <= 0 || depth <= 0) return 0;
  return Math.min(
    world.options.maxOutsideDislocation,
    world.outside.priceMove[a]! * Math.sqrt(pressureUsd / depth),
  );
}

/**
 * Adds `valueUsd` of selling to asset `a`'s outside market: moves its price and returns the
 * average execution price of that selling as a share of the price before it (the integral of the
 * square-root law over the added pressure).
 */
function sellOutside(world: World, a: number, valueUsd: number): number {
  const outside = world.outside;
  const before = outside.pressureUsd[a]!;
  const after = before + valueUsd;
  outside.pressureUsd[a] = after;
  outside.soldUsd[a] = outside.soldUsd[a]! + valueUsd;
  const startFactor = 1 - dislocation(world, a, before);
  world.outsideFactor[a] = 1 - dislocation(world, a, after);
  if (valueUsd <= 0 || startFactor <= 0) return 1;
  const depth = outside.depthUsd[a]!;
  const slope = outside.priceMove[a]! / Math.sqrt(depth);
  const cap = world.options.maxOutsideDislocation;
  const capPressure = depth * (cap / outside.priceMove[a]!) ** 2;
  // Integral of the dislocation over [before, after]: slope * (2/3) I^1.5 below the cap, cap above.
  const lossBelow = (lo: number, hi: number) => (2 / 3) * slope * (hi ** 1.5 - lo ** 1.5);
  let lost = 0;
  if (before < capPressure) lost += lossBelow(before, Math.min(after, capPressure));
  if (after > capPressure) lost += cap * (after - Math.max(before, capPressure));
  const averageFactor = 1 - lost / valueUsd;
  return Math.max(0, averageFactor / startFactor);
}

/** Arbitrageurs buy asset `a` in its pool while it sits below the band, up to this step's
 *  capacity, and resell it outside. */
function liftPool(world: World, a: number, v: Venue): void {
  const outside = world.outside;
  const floor = 1 - outside.band[a]!;
  const gap = world.venueFactor[a]!;
  if (gap >= floor) return;
  const capacity = outside.arbitrageCapacityUsd[a]! - outside.arbitrageUsedUsd[a]!;
  if (capacity <= 0) return;
  // Value of the pool's (virtual) asset reserve at the pool price: buying U of it lifts the
  // price by (1 - U / value)^-2 on a constant-product curve.
  const poolValue =
    (Number(v.x === a ? v.rx : v.ry) / Number(world.assets[a]!.scale)) *
    v.amplification *
    outsidePriceFloat(world, a) *
    gap;
  if (poolValue <= 0) return;
  const needed = poolValue * (1 - Math.sqrt(gap / floor));
  const bought = Math.min(needed, capacity);
  world.venueFactor[a] = bought === needed ? floor : gap / (1 - bought / poolValue) ** 2;
  outside.arbitrageUsedUsd[a] = outside.arbitrageUsedUsd[a]! + bought;
  sellOutside(world, a, bought);
}

export type SaleResult = { proceedsUsd8: bigint };

/**
 * Sells `amount` of asset `a`: into its pool down to the arbitrage band, then to arbitrageurs at
 * the band while their capacity lasts (they resell on the outside market), then into the pool
 * alone; or, without a pool, on the outside market. Prices move; proceeds are USD-8.
 */
export function sell(world: World, a: number, amount: bigint): SaleResult {
  if (amount <= 0n) return { proceedsUsd8: 0n };
  const v = world.venueOf[a]!;
  const outside = world.outside;
  if (v < 0) {
    if (!outside.declared[a])
      throw new EngineSetupError({
        field: "outsideMarkets",
        problem: `the engine must sell ${world.assets[a]!.symbol}, which has neither a pool nor an outside market`,
        hint: "Declare its outside market (depth with a source) in the scenario.",
      });
    const price = outsidePriceFloat(world, a);
    const valueUsd = (Number(amount) / Number(world.assets[a]!.scale)) * price;
    const execution = sellOutside(world, a, valueUsd);
    setPrice(world, a);
    return { proceedsUsd8: valueUsd8(world, a, amount, usd8Of(price * execution)) };
  }
  const venue = world.venues[v]!;
  let remaining = amount;
  let proceeds = 0n;
  if (outside.declared[a]) {
    const band = outside.band[a]!;
    // 1. Into the pool, down to the band.
    const intoPool = minBig(unitsToFactor(venue, a, world.venueFactor[a]!, 1 - band), remaining);
    proceeds += swapIntoPool(world, venue, a, intoPool);
    remaining -= intoPool;
    // 2. To arbitrageurs at the band price while their capacity lasts (they resell outside).
    const capacity = outside.arbitrageCapacityUsd[a]! - outside.arbitrageUsedUsd[a]!;
    if (remaining > 0n && capacity > 0) {
      const price = outsidePriceFloat(world, a);
      const affordable = unitsForUsd8(world, a, usd8Of(capacity), usd8Of(price));
      const taken = minBig(affordable, remaining);
      proceeds += sellAtOutside(world, venue, a, taken, band);
      outside.arbitrageUsedUsd[a] =
        outside.arbitrageUsedUsd[a]! + (Number(taken) / Number(world.assets[a]!.scale)) * price;
      remaining -= taken;
    }
    // 3. Beyond their capacity sellers must reach the outside market themselves, which costs them
    //    the band again (moving funds off-chain, latency): the pool takes sales down to twice the
    //    band, the outside market the rest.
    if (remaining > 0n) {
      const deeper = minBig(unitsToFactor(venue, a, world.venueFactor[a]!, 1 - 2 * band), remaining);
      proceeds += swapIntoPool(world, venue, a, deeper);
      remaining -= deeper;
      proceeds += sellAtOutside(world, venue, a, remaining, 2 * band);
    }
    setPrice(world, a);
    return { proceedsUsd8: proceeds };
  }
  // No outside market declared (never the case for an asset the schema lets the engine sell).
  proceeds += swapIntoPool(world, venue, a, remaining);
  setPrice(world, a);
  return { proceedsUsd8: proceeds };
}

/** Units of `a` that take the pool from `from` to `to` (pool price / outside price), rounded down:
 *  on a constant-product curve (virtual reserves for stableswap) with the pool's fee. */
function unitsToFactor(v: Venue, a: number, from: number, to: number): bigint {
  if (!(from > to) || to <= 0) return 0n;
  const virtualReserve = (v.x === a ? v.rx : v.ry) * BigInt(v.amplification);
  return fractionOf(virtualReserve, Math.min(1, (Math.sqrt(from / to) - 1) / (1 - v.feeBps / 10_000)));
}

/** Sells `amount` of `a` on the outside market at its price less `cost` (a share), with the
 *  market's impact; the pool follows the outside price. Returns USD-8 proceeds. */
function sellAtOutside(world: World, venue: Venue, a: number, amount: bigint, cost: number): bigint {
  if (amount <= 0n) return 0n;
  const price = outsidePriceFloat(world, a);
  const valueUsd = (Number(amount) / Number(world.assets[a]!.scale)) * price;
  const execution = sellOutside(world, a, valueUsd);
  setPrice(world, a);
  recentre(world, venue);
  return valueUsd8(world, a, amount, usd8Of(price * (1 - cost) * execution));
}

/** Swaps `amount` of `a` into the pool: reserves move, the pool price factor falls; USD-8 out. */
function swapIntoPool(world: World, v: Venue, a: number, amount: bigint): bigint {
  if (amount <= 0n) return 0n;
  const aIsX = v.x === a;
  const quote = aIsX ? v.y : v.x;
  const swap = {
    reserveIn: aIsX ? v.rx : v.ry,
    reserveOut: aIsX ? v.ry : v.rx,
    amountIn: amount,
    feeBps: v.feeBps,
    amplification: v.amplification,
  };
  const out = swapOut(swap);
  const factor = priceImpactFactor(swap);
  if (aIsX) {
    v.rx += amount;
    v.ry -= out;
  } else {
    v.ry += amount;
    v.rx -= out;
  }
  world.venueFactor[a] = world.venueFactor[a]! * factor;
  setPrice(world, a);
  return valueUsd8(world, quote, out);
}
