/**
 * Prices and venues. The market price of an asset is its exogenous path times a dislocation
 * (`impact`) that sales into its venue create and arbitrage removes over time; venues are
 * re-centred on the market prices each step, so a venue's depth (its invariant) is what limits
 * how far a fire sale or a wave of liquidations moves the price.
 */
import {
  equilibriumReserves,
  priceImpactFactor,
  swapOut,
} from "../../protocol-adapters/simulated/constant-product.ts";
import { setPrice, setPricesAt, USD8, type Venue, valueUsd8, type World } from "./world.ts";

/** Starts step `step`: arbitrage shrinks dislocations, prices move to the path, venues re-centre. */
export function openStep(w: World, step: number): void {
  w.step = step;
  const keep = (1 - w.options.arbitrageRecoveryPerHour) ** w.stepHours;
  for (let a = 0; a < w.nA; a++) w.impact[a] = 1 - (1 - w.impact[a]!) * keep;
  setPricesAt(w, step);
  for (const v of w.venues) recentre(w, v);
}

export function recentre(w: World, v: Venue): void {
  const { x, y } = equilibriumReserves({
    k: v.k,
    priceXUsd8: w.price[v.x]!,
    priceYUsd8: v.y < 0 ? USD8 : w.price[v.y]!,
    decimalsX: w.assets[v.x]!.decimals,
    decimalsY: v.y < 0 ? 8 : w.assets[v.y]!.decimals,
  });
  v.rx = x;
  v.ry = y;
}

export type SaleResult = { proceedsUsd8: bigint; factor: number };

/**
 * Sells `amount` of asset `a` into its venue. The venue's reserves move, the asset's market price
 * falls by the pool's price impact, and the proceeds are returned in USD-8 at the quote's price.
 */
export function sell(w: World, a: number, amount: bigint): SaleResult {
  if (amount <= 0n) return { proceedsUsd8: 0n, factor: 1 };
  // Only part of the flow goes through the scenario's venue; the rest is absorbed by deeper
  // markets at the current price.
  const share = BigInt(Math.round(w.options.venueShareOfSales * 1e6));
  const onVenue = (amount * share) / 1_000_000n;
  const offVenueUsd8 = valueUsd8(w, a, amount - onVenue);
  const v = w.venues[w.venueOf[a]!]!;
  const aIsX = v.x === a;
  const quote = aIsX ? v.y : v.x;
  const swap = {
    reserveIn: aIsX ? v.rx : v.ry,
    reserveOut: aIsX ? v.ry : v.rx,
    amountIn: onVenue,
    feeBps: v.feeBps,
    amplification: v.amplification,
  };
  const out = swapOut(swap);
  const factor = priceImpactFactor(swap);
  if (aIsX) {
    v.rx += onVenue;
    v.ry -= out;
  } else {
    v.ry += onVenue;
    v.rx -= out;
  }
  w.impact[a] = w.impact[a]! * factor;
  setPrice(w, a);
  const onVenueUsd8 = quote < 0 ? out : (out * w.price[quote]!) / w.assets[quote]!.scale;
  return { proceedsUsd8: onVenueUsd8 + offVenueUsd8, factor };
}
