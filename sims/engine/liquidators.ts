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
  liquidators.usedUsd = 0;
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

/** Gas cost of one liquidation at this step's congestion, USD. */
export function gasCostUsd(world: World): number {
  const { gasUsdCalm, gasUsdCongested, congestion } = world.liquidators;
  return gasUsdCalm + Math.max(0, gasUsdCongested - gasUsdCalm) * congestion;
}

/** Capital liquidators have left this step, USD. */
export function capitalLeftUsd(world: World): number {
  const { capacityUsd, usedUsd } = world.liquidators;
  return Math.max(0, capacityUsd - usedUsd);
}
