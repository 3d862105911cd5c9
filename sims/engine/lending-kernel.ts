/**
 * Lending markets, per step: interest accrues through a borrow index (kinked rate model), each
 * market's push oracle updates its on-chain answers (on deviation or heartbeat, after the
 * market's delay), and the screen finds positions whose health factor fell below 1 at those
 * answers. Liquidation itself is in lending-liquidation.ts.
 *
 * The screen is the hot loop: typed arrays only, no bigint, no allocation.
 */
import { borrowRateBps } from "../../protocol-adapters/simulated/interest-rate-model.ts";
import { BPS, type World } from "./world.ts";

const YEAR_SECONDS = 365n * 24n * 3600n;

/** Growth per step of each whole-bps rate (rate x step seconds), per world: computed once each. A
 *  dense array sized for the rate model's highest rate (a fresh sparse one each step cost more than
 *  the interest arithmetic). */
const growthByWorld = new WeakMap<World, (bigint | undefined)[]>();

function growthTable(world: World): (bigint | undefined)[] {
  let table = growthByWorld.get(world);
  if (!table) {
    const m = world.options.rateModel;
    table = new Array<bigint | undefined>(m.baseBps + m.slope1Bps + m.slope2Bps + 1).fill(undefined);
    growthByWorld.set(world, table);
  }
  return table;
}

export function accrueInterest(world: World): void {
  const lending = world.lending;
  const seconds = BigInt(Math.round(world.stepHours * 3600));
  const perYear = BPS * YEAR_SECONDS;
  const depositorsShare = BigInt(10_000 - world.options.rateModel.reserveFactorBps);
  const growth = growthTable(world);
  for (let r = 0; r < lending.reserveAsset.length; r++) {
    const borrowed = lending.borrowed[r]!;
    if (borrowed === 0n) continue;
    // The rate model's input, a model quantity: in floats (exact to a basis point but at its edges).
    const supplied = lending.supplied[r]!;
    const utilization = lending.minted[r]
      ? 10_000
      : supplied === 0n
        ? 0
        : Math.floor((Number(borrowed) * 10_000) / Number(supplied));
    const rate = borrowRateBps(world.options.rateModel, Math.min(10_000, utilization));
    if (rate === 0) continue;
    let perStep = growth[rate];
    if (perStep === undefined) {
      perStep = BigInt(rate) * seconds;
      growth[rate] = perStep;
    }
    lending.borrowIndex[r] = lending.borrowIndex[r]! + (lending.borrowIndex[r]! * perStep) / perYear;
    // The float mirror grows by the same factor (the screen's copy; exact amounts use the bigint).
    lending.borrowIndexFloat[r] =
      lending.borrowIndexFloat[r]! * (1 + (rate * world.stepHours * 3600) / (10_000 * 31_536_000));
    const interest = (borrowed * perStep) / perYear;
    lending.borrowed[r] = borrowed + interest;
    // Depositors earn the interest less the reserve factor (minted: all of it is surplus).
    if (!lending.minted[r]) lending.supplied[r] = supplied + (interest * depositorsShare) / BPS;
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
  /** Positions within WATCH_MARGIN of either test at the last full screen, and what it saw: oracle
   *  answers [slot * assetCount + asset], market prices [asset], borrow indices [reserve],
   *  de-risking threshold scales [slot]. */
  watch: Int32Array;
  watchCount: number;
  oracleAtFullScreen: Float64Array;
  marketAtFullScreen: Float64Array;
  indexAtFullScreen: Float64Array;
  thresholdScaleAtFullScreen: Float64Array;
  /** Full screens and watch-list screens so far (for the bench). */
  fullScreens: number;
  watchScreens: number;
};

/** Health-factor margin of the watch list. A position's health factor moves with its collateral's
 *  price, its debt's price and its reserve's borrow index; while each has moved less than
 *  WATCH_MOVE since the full screen, (1 - 0.025) / (1 + 0.025)^2 > 1 / (1 + 0.1): a position that
 *  was above 1 + WATCH_MARGIN (on both tests) is still above 1. */
const WATCH_MARGIN = 0.1;
const WATCH_MOVE = 0.025;

export function createLendingScreen(world: World): LendingScreen {
  const n = world.lending.positionActive.length;
  return {
    hits: new Int32Array(n),
    hitCount: 0,
    underwater: new Int32Array(n),
    underwaterCount: 0,
    watch: new Int32Array(n),
    watchCount: 0,
    oracleAtFullScreen: new Float64Array(world.lending.oracleAnswerFloat.length),
    marketAtFullScreen: new Float64Array(world.assetCount),
    indexAtFullScreen: new Float64Array(world.lending.borrowIndexFloat.length),
    thresholdScaleAtFullScreen: new Float64Array(world.lending.thresholdScale.length),
    fullScreens: 0,
    watchScreens: 0,
  };
}

/**
 * Finds liquidatable positions (health factor = collateral x price x threshold / debt x price,
 * at the oracle, below 1) and, in the same pass, underwater ones (collateral below debt at market
 * prices: the balance sheet books their shortfall). Screens re-check only the watch list of the
 * last full screen, as long as no price, borrow index or de-risking scale has moved enough since
 * for a position off the list to cross either line (within a step and across steps); otherwise,
 * or with `full`, they screen everything again and rebuild the list.
 */
export function screenLending(world: World, screen: LendingScreen, { full = false } = {}): void {
  if (!full && screen.fullScreens > 0 && watchListHolds(world, screen)) {
    screen.watchScreens++;
    scan(world, screen, screen.watch, screen.watchCount, false);
    return;
  }
  screen.fullScreens++;
  screen.oracleAtFullScreen.set(world.lending.oracleAnswerFloat);
  screen.marketAtFullScreen.set(world.priceFloat);
  screen.indexAtFullScreen.set(world.lending.borrowIndexFloat);
  screen.thresholdScaleAtFullScreen.set(world.lending.thresholdScale);
  scan(world, screen, undefined, world.lending.positionActive.length, true);
}

function watchListHolds(world: World, screen: LendingScreen): boolean {
  const moved = (now: Float64Array, then: Float64Array) => {
    for (let i = 0; i < now.length; i++) {
      const before = then[i]!;
      if (before > 0 ? Math.abs(now[i]! / before - 1) >= WATCH_MOVE : now[i] !== before) return true;
    }
    return false;
  };
  const scales = world.lending.thresholdScale;
  for (let i = 0; i < scales.length; i++)
    if (scales[i] !== screen.thresholdScaleAtFullScreen[i]) return false;
  return (
    !moved(world.lending.oracleAnswerFloat, screen.oracleAtFullScreen) &&
    !moved(world.priceFloat, screen.marketAtFullScreen) &&
    !moved(world.lending.borrowIndexFloat, screen.indexAtFullScreen)
  );
}

/** The screen's loop over `subset` (or every position), typed arrays only. */
function scan(
  world: World,
  screen: LendingScreen,
  subset: Int32Array | undefined,
  count: number,
  buildWatch: boolean,
): void {
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
  const { hits, underwater, watch } = screen;
  const watchFactor = 1 + WATCH_MARGIN;
  let hitCount = 0;
  let underwaterCount = 0;
  let watchCount = 0;
  for (let k = 0; k < count; k++) {
    const i = subset === undefined ? k : subset[k]!;
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
    const owed = debt * oracleAnswerFloat[slot * nA + debtAsset]!;
    const collateralValue = collateral * market[collateralAsset]!;
    const debtValue = debt * market[debtAsset]!;
    if (weighted < owed) hits[hitCount++] = i;
    if (collateralValue < debtValue) underwater[underwaterCount++] = i;
    if (buildWatch && (weighted < owed * watchFactor || collateralValue < debtValue * watchFactor))
      watch[watchCount++] = i;
  }
  screen.hitCount = hitCount;
  screen.underwaterCount = underwaterCount;
  if (buildWatch) screen.watchCount = watchCount;
}
