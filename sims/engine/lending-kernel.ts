/**
 * Lending markets, per step: interest accrues through a borrow index (kinked rate model), each
 * market's push oracle updates its on-chain answers (on deviation or heartbeat, after the
 * market's delay), and the screen finds positions whose health factor fell below 1 at those
 * answers. Liquidation itself is in lending-liquidation.ts.
 *
 * The screen is the hot loop: typed arrays only, no bigint, no allocation.
 */
import { borrowRateBps, utilizationBps } from "../../protocol-adapters/simulated/interest-rate-model.ts";
import { BPS, type World } from "./world.ts";

const YEAR_SECONDS = 365n * 24n * 3600n;

export function accrueInterest(world: World): void {
  const lending = world.lending;
  const seconds = BigInt(Math.round(world.stepHours * 3600));
  const perYear = BPS * YEAR_SECONDS;
  const depositorsShare = BigInt(10_000 - world.options.rateModel.reserveFactorBps);
  for (let r = 0; r < lending.reserveAsset.length; r++) {
    const borrowed = lending.borrowed[r]!;
    if (borrowed === 0n) continue;
    const utilization = lending.minted[r] ? 10_000 : utilizationBps(borrowed, lending.supplied[r]!);
    const rateSeconds =
      BigInt(borrowRateBps(world.options.rateModel, Math.min(10_000, utilization))) * seconds;
    const index = lending.borrowIndex[r]! + (lending.borrowIndex[r]! * rateSeconds) / perYear;
    lending.borrowIndex[r] = index;
    lending.borrowIndexFloat[r] = Number(index) / 1e27;
    const interest = (borrowed * rateSeconds) / perYear;
    lending.borrowed[r] = borrowed + interest;
    // Depositors earn the interest less the reserve factor (minted: all of it is surplus).
    if (!lending.minted[r]) lending.supplied[r] = lending.supplied[r]! + (interest * depositorsShare) / BPS;
  }
}

/**
 * Updates each lending market's on-chain answers: the market price `oracleDelaySteps` ago (Maker's
 * OSM), written when it differs from the current answer by more than the feed's deviation
 * threshold or when the heartbeat has passed since the last write (Chainlink). Called before
 * every liquidation round, so a round's sales can trip a deviation update within the step.
 */
export function updateOracles(world: World): void {
  const lending = world.lending;
  const nA = world.assetCount;
  const hour = world.step * world.stepHours;
  for (let slot = 0; slot < lending.protocols.length; slot++) {
    const at = Math.max(0, world.step - lending.oracleDelaySteps[slot]!);
    for (let a = 0; a < nA; a++) {
      const i = slot * nA + a;
      const candidate = at === world.step ? world.price[a]! : world.history[at * nA + a]!;
      const deviation = lending.oracleDeviation[i]!;
      if (deviation > 0 && hour - lending.oracleUpdatedHour[i]! < lending.oracleHeartbeatHours[i]! - 1e-9) {
        // |candidate / answer - 1| > deviation, in integers (parts per billion).
        const answer = lending.oracleAnswerUsd8[i]!;
        const moved = candidate > answer ? candidate - answer : answer - candidate;
        if (answer !== 0n && moved * 1_000_000_000n <= BigInt(Math.floor(deviation * 1e9)) * answer) continue;
      } else if (lending.oracleAnswerUsd8[i] === candidate && lending.oracleUpdatedHour[i] === hour) continue;
      lending.oracleAnswerUsd8[i] = candidate;
      lending.oracleAnswerFloat[i] = Number(candidate) / 1e8;
      lending.oracleUpdatedHour[i] = hour;
    }
  }
}

export type LendingScreen = {
  /** Positions whose health factor is below 1 at their market's oracle. */
  hits: Int32Array;
  hitCount: number;
  /** Positions whose collateral is worth less than their debt at market prices. */
  underwater: Int32Array;
  underwaterCount: number;
};

export function createLendingScreen(world: World): LendingScreen {
  const n = world.lending.positionActive.length;
  return { hits: new Int32Array(n), hitCount: 0, underwater: new Int32Array(n), underwaterCount: 0 };
}

/**
 * Finds liquidatable positions (health factor = collateral x price x threshold / debt x price,
 * at the oracle, below 1) and, in the same pass, underwater ones (collateral below debt at market
 * prices: the balance sheet books their shortfall).
 */
export function screenLending(world: World, screen: LendingScreen): void {
  const lending = world.lending;
  const nA = world.assetCount;
  const {
    positionActive,
    positionSlot,
    collateralFloat,
    scaledDebtFloat,
    positionThreshold,
    positionCollateralAsset,
    positionDebtAsset,
    positionDebtReserve,
    borrowIndexFloat,
    thresholdScale,
    oracleAnswerFloat,
  } = lending;
  const market = world.priceFloat;
  const { hits, underwater } = screen;
  let hitCount = 0;
  let underwaterCount = 0;
  for (let i = 0; i < positionActive.length; i++) {
    if (positionActive[i] === 0) continue;
    const slot = positionSlot[i]!;
    const collateralAsset = positionCollateralAsset[i]!;
    const debtAsset = positionDebtAsset[i]!;
    const collateral = collateralFloat[i]!;
    const debt = scaledDebtFloat[i]! * borrowIndexFloat[positionDebtReserve[i]!]!;
    const weighted =
      collateral *
      oracleAnswerFloat[slot * nA + collateralAsset]! *
      positionThreshold[i]! *
      thresholdScale[slot]!;
    if (weighted < debt * oracleAnswerFloat[slot * nA + debtAsset]!) hits[hitCount++] = i;
    if (collateral * market[collateralAsset]! < debt * market[debtAsset]!) underwater[underwaterCount++] = i;
  }
  screen.hitCount = hitCount;
  screen.underwaterCount = underwaterCount;
}
