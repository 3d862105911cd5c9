/**
 * Liquidators and keepers as economic actors: each step the chain's congestion (from the largest
 * hourly price move) sets the gas cost of a liquidation; a liquidation whose profit at market
 * prices does not cover its gas does not happen, and liquidators repay at most their capital per
 * step (what is left waits for the next step).
 */
import type { World } from "./world.ts";

/** Resets liquidators' capital for the step and sets congestion from this step's price moves. */
export function openLiquidatorStep(world: World): void {
  const liquidators = world.liquidators;
  liquidators.usedUsd8 = 0n;
  let largestMove = 0;
  if (world.step > 0) {
    const nA = world.assetCount;
    for (let a = 0; a < nA; a++) {
      const before = Number(world.history[(world.step - 1) * nA + a]!);
      if (before <= 0) continue;
      const move = Math.abs(Number(world.price[a]!) / before - 1) / world.stepHours;
      if (move > largestMove) largestMove = move;
    }
  }
  liquidators.congestion = Math.min(1, largestMove / liquidators.congestionAtHourlyMove);
}

/** Gas cost of one liquidation at this step's congestion, USD-8. */
export function gasCostUsd8(world: World): bigint {
  const { gasUsd8Calm, gasUsd8Congested, congestion } = world.liquidators;
  const extra = gasUsd8Congested > gasUsd8Calm ? gasUsd8Congested - gasUsd8Calm : 0n;
  return gasUsd8Calm + (extra * BigInt(Math.round(congestion * 1e6))) / 1_000_000n;
}

/** Capital liquidators have left this step, USD-8. */
export function capitalLeftUsd8(world: World): bigint {
  const { capacityUsd8, usedUsd8 } = world.liquidators;
  return capacityUsd8 > usedUsd8 ? capacityUsd8 - usedUsd8 : 0n;
}
