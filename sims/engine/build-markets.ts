/**
 * Where the engine's sales land: the scenario's pools (venues), the outside market of each
 * asset (depth and arbitrage, as the scenario states them), and the liquidators who buy
 * liquidated collateral. There is no fallback pool: an asset the engine may sell has a declared
 * outside market (the scenario schema refuses a scenario without one).
 */
import { DEFAULT_LIQUIDATORS } from "./engine-defaults.ts";
import { valueUsd8, type World } from "./world.ts";

/** A two-asset venue: a constant-product pair (or a stableswap pair, amplified). */
export type Venue = {
  /** Owning AMM protocol. */
  protocol: number;
  x: number;
  /** Quote asset. */
  y: number;
  k: bigint;
  feeBps: number;
  amplification: number;
  /** Reserves at the current market prices (re-centred each step). */
  rx: bigint;
  ry: bigint;
};

export type Pool = { protocol: number; venues: number[] };

/** Per asset; assets without a declared outside market have `declared` 0 and are never sold. */
export type OutsideMarkets = {
  declared: Uint8Array;
  /** USD that can be sold within `priceMove` of the mid price (bid depth). */
  depthUsd: Float64Array;
  priceMove: Float64Array;
  /** Share of unabsorbed selling pressure still weighing on the book after one step. */
  keepPerStep: Float64Array;
  /** Arbitrage band as a share of the price (0 when there is no arbitrage). */
  band: Float64Array;
  /** USD of the asset arbitrageurs can move from the pool to this market per step. */
  arbitrageCapacityUsd: Float64Array;
  /** Selling pressure the books have not absorbed yet, USD: what sets the dislocation. */
  pressureUsd: Float64Array;
  /** Arbitrage capacity used this step, USD. */
  arbitrageUsedUsd: Float64Array;
  /** Selling the engine put on this market over the run, USD (for reports). */
  soldUsd: Float64Array;
};

/** Liquidators as economic actors: their decisions (is a liquidation worth its gas, is there capital
 *  left) are model decisions, in USD floats; the liquidations themselves are exact. */
export type Liquidators = {
  /** Debt liquidators can repay per step, USD, and what they repaid this step. */
  capacityUsd: number;
  usedUsd: number;
  gasUsdCalm: number;
  gasUsdCongested: number;
  congestionAtHourlyMove: number;
  keeperMargin: number;
  /** Congestion this step, 0..1 (from the largest hourly price move). */
  congestion: number;
  /** Liquidations skipped because they did not pay for gas, or for want of capital (counts). */
  skippedForGas: number;
  skippedForCapital: number;
};

export function buildVenues(world: World, assetOf: (s: string, where: string) => number): void {
  const scale = BigInt(Math.round(world.options.depthScale * 1e6));
  world.scenario.protocols.forEach((proto, p) => {
    if (proto.kind !== "amm") return;
    for (const pool of proto.pools) {
      const n = pool.reserves.length;
      const venues: number[] = [];
      // A pool of n > 2 assets becomes n pairs around a ring, each with half of each reserve.
      const pairs = n === 2 ? [[0, 1]] : Array.from({ length: n }, (_, i) => [i, (i + 1) % n]);
      const share = n === 2 ? 1n : 2n;
      for (const [i, j] of pairs) {
        const reserveX = pool.reserves[i!]!;
        const reserveY = pool.reserves[j!]!;
        const x = (reserveX.amount * scale) / (share * 1_000_000n);
        const y = (reserveY.amount * scale) / (share * 1_000_000n);
        venues.push(world.venues.length);
        world.venues.push({
          protocol: p,
          x: assetOf(reserveX.asset, `${proto.id}.pools.${pool.id}`),
          y: assetOf(reserveY.asset, `${proto.id}.pools.${pool.id}`),
          k: x * y,
          feeBps: Math.round(pool.fee * 10_000),
          amplification: pool.curve === "stableswap" ? (pool.amplification ?? 100) : 1,
          rx: x,
          ry: y,
        });
      }
      world.pools.push({ protocol: p, venues });
    }
  });
  // Each asset sells in its deepest pool, if it has one.
  const depth = (v: Venue, a: number) =>
    valueUsd8(world, a, v.x === a ? v.rx : v.ry) * BigInt(v.amplification);
  for (let a = 0; a < world.assetCount; a++) {
    let best = -1;
    let bestDepth = -1n;
    world.venues.forEach((v, i) => {
      if (v.x !== a && v.y !== a) return;
      const d = depth(v, a);
      if (d > bestDepth) {
        best = i;
        bestDepth = d;
      }
    });
    world.venueOf[a] = best;
  }
}

export function buildOutsideMarkets(world: World): OutsideMarkets {
  const n = world.assetCount;
  const m: OutsideMarkets = {
    declared: new Uint8Array(n),
    depthUsd: new Float64Array(n),
    priceMove: new Float64Array(n).fill(0.02),
    keepPerStep: new Float64Array(n),
    band: new Float64Array(n),
    arbitrageCapacityUsd: new Float64Array(n),
    pressureUsd: new Float64Array(n),
    arbitrageUsedUsd: new Float64Array(n),
    soldUsd: new Float64Array(n),
  };
  const scale = world.options.depthScale;
  for (const x of world.scenario.outsideMarkets) {
    const a = world.assetIndex.get(x.asset)!;
    m.declared[a] = 1;
    m.depthUsd[a] = x.depthUsd * scale;
    m.priceMove[a] = x.priceMove;
    m.keepPerStep[a] = (1 - x.refillPerHour) ** world.stepHours;
    if (x.arbitrage) {
      m.band[a] = x.arbitrage.bandBps / 10_000;
      m.arbitrageCapacityUsd[a] = x.arbitrage.capacityUsdPerHour * scale * world.stepHours;
    }
  }
  return m;
}

export function buildLiquidators(world: World): Liquidators {
  const given = world.scenario.liquidators ?? DEFAULT_LIQUIDATORS;
  return {
    capacityUsd: given.capitalUsdPerHour * world.stepHours,
    usedUsd: 0,
    gasUsdCalm: given.gasUsd,
    gasUsdCongested: given.gasUsdCongested,
    congestionAtHourlyMove: given.congestionAtHourlyMove,
    keeperMargin: given.keeperMargin ?? DEFAULT_LIQUIDATORS.keeperMargin,
    congestion: 0,
    skippedForGas: 0,
    skippedForCapital: 0,
  };
}
