/**
 * One run: a scenario, a seed, a policy. Deterministic: the same inputs give the same result,
 * bit for bit (all randomness comes from the seed; money is integer).
 *
 * Each step: the outside market's books refill, arbitrage lifts pools and prices move to the
 * paths; interest and funding accrue; last step's clearing writes down claims on defaulted
 * protocols; scripted runs and depositors' runs (from observed stress) add withdrawals; the
 * policy negotiates and de-risks; protocols pay what they owe (cash, then their deposits
 * elsewhere, then fire sales); liquidation rounds update oracles, screen lending and perp
 * positions, liquidate what pays for its gas within liquidators' capital, and sell collateral into
 * the market (moving the prices the next round sees); finally balance sheets are cleared over the
 * sparse exposure network (Eisenberg-Noe), DebtRank measures how far losses could spread, and
 * distress.ts decides halts and next step's write-downs and run intensities from the result.
 */
import { createRng, deriveSeed } from "../paths/prng.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { createLedgerBackend } from "../settlement/ledger-backend.ts";
import type { SettlementBackend, SettlementRun } from "../settlement/settlement-backend.ts";
import {
  type BalanceSheet,
  balanceSheet,
  clearNetwork,
  currentDebtRank,
  denseExposures,
  type Solvency,
} from "./balance-sheet.ts";
import {
  advanceDepositorRuns,
  applyWriteDowns,
  assessDistress,
  type ContagionEvent,
  setStartEquity,
} from "./distress.ts";
import { createEngineAdapter } from "./engine-adapter.ts";
import type { EngineOptions } from "./engine-options.ts";
import { type EnginePolicy, noPolicy, type PolicyEvent, type RiskPicture } from "./engine-policy.ts";
import {
  accrueInterest,
  createLendingScreen,
  type LendingScreen,
  screenLending,
  updateOracles,
} from "./lending-kernel.ts";
import { liquidateLending, sellSeized } from "./lending-liquidation.ts";
import {
  createLiquidationDays,
  finishLiquidationDays,
  type MarketLiquidations,
  recordLiquidationDay,
} from "./liquidations-by-market.ts";
import { openLiquidatorStep } from "./liquidators.ts";
import { advanceRuns, fireSales, isHalted, payOwed, unmetUsd8 } from "./liquidity.ts";
import { openStep, recentre, sell } from "./market.ts";
import { accrueFunding, liquidatePerp, screenPerp } from "./perp-kernel.ts";
import { createRunMetrics, finishRunMetrics, type RunTotals, recordStep } from "./run-metrics.ts";
import { type SolvencyView, screenSolvency } from "./solvency-screen.ts";
import { emptyTally, type StepTally } from "./tally.ts";
import { buildWorld, usdFloat, valueUsd8, type World } from "./world.ts";

export type { RunTotals };

export type RunEngineParameters = {
  scenario: Scenario;
  seed?: number | undefined;
  options?: Partial<EngineOptions> | undefined;
  policy?: EnginePolicy | undefined;
  /** Where negotiated loans settle: the LiquidityArbiter on anvil (sims/settlement/chain-backend.ts)
   *  or the in-process ledger. Same results either way. Default: a fresh ledger, so a single run
   *  needs no chain; studies (runContagionStudy, the CLIs) default to the chain. */
  settlement?: SettlementBackend | undefined;
  onStep?: ((step: number, steps: number) => void) | undefined;
  /** Called at the end of every step with what protocols could observe then (sims/dataset reads
   *  its features here). Read-only: an observer must not change the world. */
  onObserve?: ((o: StepObservation) => void) | undefined;
};

/** The end of one step as protocols see it: the world, the solvency view, DebtRank, the tally. */
export type StepObservation = {
  world: World;
  step: number;
  view: SolvencyView;
  debtRank: number;
  /** Each protocol's DebtRank capital at the start (equity; assets for AMMs and vaults), USD. */
  capitalStartUsd: Float64Array;
  tally: StepTally;
  screen: LendingScreen;
};

export type ProtocolEnd = {
  id: string;
  equityUsd8: bigint;
  insolvent: boolean;
  deficitUsd8: bigint;
  /** Defaulted on network obligations at some clearing of the run. */
  defaulted: boolean;
  /** Hour from which it halted withdrawals (scripted or by distress), or null. */
  haltedHour: number | null;
  /** What it lost on claims written down, USD-8. */
  writeDownLossUsd8: bigint;
};

export type RunResult = {
  scenario: string;
  seed: number;
  policy: string;
  steps: number;
  stepHours: number;
  assets: string[];
  protocols: { id: string; label: string; kind: string }[];
  series: {
    hours: Float64Array;
    /** Market price of each asset, USD. */
    prices: Float64Array[];
    liquidationUsd: Float64Array;
    badDebtUsd: Float64Array;
    unmetUsd: Float64Array;
    negotiatedUsd: Float64Array;
    debtRank: Float64Array;
    /** Protocols halted at each step. */
    halted: Float64Array;
    /** Claims written down so far, USD. */
    writeDownUsd: Float64Array;
  };
  totals: RunTotals;
  end: ProtocolEnd[];
  /** exposure[i * n + j]: what protocol i stands to lose on j, USD, at the start and the end. */
  network: { start: Float64Array; end: Float64Array };
  events: PolicyEvent[];
  /** Defaults, write-downs and halts as they happened. */
  contagion: ContagionEvent[];
  /** Liquidations per lending market (protocol x collateral) per day of the run. */
  liquidationsByMarket: MarketLiquidations[];
};

export async function runEngine(p: RunEngineParameters): Promise<RunResult> {
  const backend = p.settlement ?? createLedgerBackend();
  const assetAddresses = await backend.tokens(p.scenario.assets);
  const world = buildWorld({ scenario: p.scenario, seed: p.seed, options: p.options, assetAddresses });
  const nowSec = () => world.startTime + BigInt(Math.round(world.step * world.stepHours * 3600));

  // Settlement moves tokens on the engine's books; its events tell us what was settled.
  const run = await backend.openRun({ world, now: nowSec });
  try {
    return await simulate(p, world, run, nowSec);
  } finally {
    await run.close();
  }
}

async function simulate(
  p: RunEngineParameters,
  world: World,
  run: SettlementRun,
  nowSec: () => bigint,
): Promise<RunResult> {
  const policy = p.policy ?? noPolicy;
  const stepCount = world.steps + 1;
  const rng = createRng(deriveSeed(world.seed, 9_000));
  const events: PolicyEvent[] = [];
  const contagion: ContagionEvent[] = [];
  const recordContagion = (e: ContagionEvent) => contagion.push(e);
  const metrics = createRunMetrics(world);
  const liquidationDays = createLiquidationDays();
  watchSettlement(world, run, events, metrics);
  const adapters = world.protocols.map((_, i) => createEngineAdapter(world, i));
  const addresses = world.protocols.map((x) => x.address);

  const series: RunResult["series"] = {
    hours: Float64Array.from({ length: stepCount }, (_, k) => k * world.stepHours),
    prices: world.assets.map(() => new Float64Array(stepCount)),
    liquidationUsd: new Float64Array(stepCount),
    badDebtUsd: new Float64Array(stepCount),
    unmetUsd: new Float64Array(stepCount),
    negotiatedUsd: new Float64Array(stepCount),
    debtRank: new Float64Array(stepCount),
    halted: new Float64Array(stepCount),
    writeDownUsd: new Float64Array(stepCount),
  };

  const screen = createLendingScreen(world);
  for (const v of world.venues) recentre(world, v);
  updateOracles(world);
  screenLending(world, screen, { full: true });
  const startSheet = balanceSheet(world, screen);
  let solvency = clearNetwork(world, startSheet);
  setStartEquity(world, solvency.equityUsd8);
  metrics.insolventAtStart = solvency.insolvent.filter(Boolean).length;
  // DebtRank's capital: equity, or for AMMs and vaults (whose equity is near zero) their assets.
  const capitalIsAssets = Uint8Array.from(world.protocols, (x) =>
    x.kind === "amm" || x.kind === "vault" ? 1 : 0,
  );
  const capital = (view: SolvencyView, out: Float64Array) => {
    for (let i = 0; i < out.length; i++)
      out[i] = capitalIsAssets[i] ? view.assetsUsd[i]! : Math.max(0, view.equityUsd[i]!);
    return out;
  };
  let view = screenSolvency(world, screen).view;
  const capital0 = capital(view, new Float64Array(world.protocolCount));
  const capitalNow = new Float64Array(world.protocolCount);
  let lastSheet = startSheet;
  let debtRankNow = 0;

  const hitsPerp = new Int32Array(world.perp.positionActive.length);
  const sales = new Array<bigint>(world.assetCount).fill(0n);
  const sellInto = (a: number, amount: bigint) => sell(world, a, amount).proceedsUsd8;

  for (let k = 0; k <= world.steps; k++) {
    if (k > 0) {
      openStep(world, k);
      accrueInterest(world);
      accrueFunding(world);
    }
    openLiquidatorStep(world);
    const tally = emptyTally();
    applyWriteDowns(world, recordContagion);
    world.asked.fill(0n);
    advanceRuns(world);
    advanceDepositorRuns(world);

    const acted = policy.onStep({
      world,
      step: k,
      hours: k * world.stepHours,
      nowSec: nowSec(),
      adapters,
      settlement: (i) => run.port(i),
      addresses,
      domain: run.domain,
      postAlert: (alert) => run.postAlert(alert),
      // Built when the policy reads it (the risk picture sums every protocol's unpaid withdrawals).
      get risk() {
        return riskPicture(world, debtRankNow, view);
      },
      record: (e) => events.push(e),
    });
    if (acted instanceof Promise) await acted;

    payOwed(world, tally);
    fireSales(world, tally);

    let screenIsFresh = false;
    for (let round = 0; round < world.options.liquidationRounds; round++) {
      updateOracles(world);
      screenLending(world, screen);
      const before = tally.liquidations;
      liquidateLending({ world, positions: screen.hits, count: screen.hitCount, rng, tally, sales });
      const perpHits = screenPerp(world, hitsPerp);
      liquidatePerp(world, hitsPerp, perpHits, tally, sales);
      // Positions liquidators leave (gas, capital) stay hit: a round without a liquidation ends it.
      if (tally.liquidations === before) {
        screenIsFresh = true;
        break;
      }
      tally.soldUsd8 += sellSeized(world, sales, sellInto);
    }
    // The balance sheet needs the underwater list at the final prices.
    if (!screenIsFresh) screenLending(world, screen);

    // Solvency: screened in floats; cleared exactly (USD-8) when anyone is at or near a default or
    // its halt threshold, at the last step, or every step with exactClearingEveryStep.
    const screened = screenSolvency(world, screen);
    let exact: { sheet: BalanceSheet; solvency: Solvency } | undefined;
    if (screened.needsExact || k === world.steps || world.options.exactClearingEveryStep) {
      lastSheet = balanceSheet(world, screen);
      solvency = clearNetwork(world, lastSheet);
      exact = { sheet: lastSheet, solvency };
    }
    // What protocols observe (stress, DebtRank, the policy's risk picture) is the screen's, exact
    // clearing or not, so a run does not depend on when the exact clearing ran.
    view = screened.view;
    debtRankNow = currentDebtRank(view.exposures, capital0, capital(view, capitalNow));
    assessDistress(world, view, exact, recordContagion);
    const observation: StepObservation = {
      world,
      step: k,
      view,
      debtRank: debtRankNow,
      capitalStartUsd: capital0,
      tally,
      screen,
    };
    p.onObserve?.(observation);
    policy.onObserve?.(observation);

    const unmet = unmetUsd8(world);
    recordStep(metrics, world, tally, unmet);
    recordLiquidationDay(liquidationDays, world, k);
    for (let a = 0; a < world.assetCount; a++) series.prices[a]![k] = world.priceFloat[a]!;
    series.liquidationUsd[k] = usdFloat(tally.liquidationUsd8);
    series.badDebtUsd[k] = usdFloat(metrics.badDebtUsd8 + metrics.defaultLossUsd8);
    series.unmetUsd[k] = usdFloat(unmet);
    series.negotiatedUsd[k] = usdFloat(metrics.negotiatedUsd8);
    series.debtRank[k] = debtRankNow;
    let halted = 0;
    for (let i = 0; i < world.protocolCount; i++) if (isHalted(world, i)) halted++;
    series.halted[k] = halted;
    let writtenDown = 0n;
    for (const x of world.distress.writeDownLossUsd8) writtenDown += x;
    series.writeDownUsd[k] = usdFloat(writtenDown);
    p.onStep?.(k, world.steps);
  }
  await policy.close?.();

  const totals = finishRunMetrics(metrics, world, solvency);
  return {
    scenario: p.scenario.name,
    seed: world.seed,
    policy: policy.name,
    steps: world.steps,
    stepHours: world.stepHours,
    assets: world.assets.map((a) => a.symbol),
    protocols: world.protocols.map((x) => ({ id: x.id, label: x.label, kind: x.kind })),
    series,
    totals,
    end: world.protocols.map((x, i) => {
      const haltedStep = haltStepOf(world, i);
      return {
        id: x.id,
        equityUsd8: solvency.equityUsd8[i]!,
        insolvent: solvency.insolvent[i]! || world.distress.defaultedStep[i]! >= 0,
        deficitUsd8: solvency.deficitUsd8[i]! + world.distress.writtenOffUsd8[i]!,
        defaulted: world.distress.defaultedStep[i]! >= 0,
        haltedHour: haltedStep === undefined ? null : haltedStep * world.stepHours,
        writeDownLossUsd8: world.distress.writeDownLossUsd8[i]!,
      };
    }),
    network: { start: denseExposures(startSheet.exposures), end: denseExposures(lastSheet.exposures) },
    events,
    contagion,
    liquidationsByMarket: finishLiquidationDays(liquidationDays, world),
  };
}

/** The step a protocol halted at (scripted or by distress), if it did by the end. */
export function haltStepOf(world: World, protocol: number): number | undefined {
  let first =
    world.distress.haltedStep[protocol]! >= 0
      ? world.distress.haltedStep[protocol]!
      : Number.POSITIVE_INFINITY;
  for (const r of world.runs) if (r.protocol === protocol && r.haltStep < first) first = r.haltStep;
  return first <= world.steps ? first : undefined;
}

function riskPicture(world: World, debtRank: number, view: SolvencyView): RiskPicture {
  let maxDrawdown = 0;
  let drawdownAsset = "";
  for (let a = 0; a < world.assetCount; a++) {
    const drawdown = 1 - world.priceFloat[a]! / world.pathFloat[a]![0]!;
    if (drawdown > maxDrawdown) {
      maxDrawdown = drawdown;
      drawdownAsset = world.assets[a]!.symbol;
    }
  }
  return {
    maxDrawdown,
    drawdownAsset,
    debtRank,
    insolvent: view.insolvent,
    halted: world.protocols.map((_, i) => isHalted(world, i)),
    unmetUsd: usdFloat(unmetUsd8(world)),
  };
}

/** Settlement events drive the engine's loan book and the run's loan metrics. */
function watchSettlement(
  world: World,
  run: SettlementRun,
  events: PolicyEvent[],
  metrics: ReturnType<typeof createRunMetrics>,
): void {
  const protocolOf = new Map(world.protocols.map((x, i) => [x.address.toLowerCase(), i]));
  const assetOf = new Map(world.assets.map((x, i) => [x.address.toLowerCase(), i]));
  run.onEvent((e) => {
    const a = e.agreement;
    if (e.type === "Settled") {
      const asset = assetOf.get(a.principalToken.toLowerCase())!;
      metrics.negotiatedUsd8 += valueUsd8(world, asset, a.principal);
      world.loans.push({
        id: e.id,
        lender: protocolOf.get(a.lender.toLowerCase())!,
        borrower: protocolOf.get(a.borrower.toLowerCase())!,
        asset,
        principal: a.principal,
        due: e.amountDue,
        collateralAsset: assetOf.get(a.collateralToken.toLowerCase())!,
        collateral: a.collateral,
        rateBps: a.rateBps,
        margined: (a.liquidationThresholdBps ?? 0) > 0,
        liquidated: false,
        toppedUp: false,
        openedStep: world.step,
        maturitySec: e.maturity,
        tenor: a.tenor,
        principalUsd8AtOpen: valueUsd8(world, asset, a.principal),
        status: "active",
        writtenDown: 0n,
      });
      return;
    }
    const loan = world.loans.find((l) => l.id === e.id);
    if (!loan) return;
    const who = { lender: world.protocols[loan.lender]!.id, borrower: world.protocols[loan.borrower]!.id };
    if (e.type === "Repaid" && e.outstanding === 0n) {
      loan.status = "repaid";
      metrics.loansRepaid++;
      events.push({
        type: "repaid",
        step: world.step,
        ...who,
        principalUsd8: valueUsd8(world, loan.asset, loan.principal),
      });
    } else if (e.type === "Liquidated") {
      // The liquidator repaid part of the debt for collateral plus the bonus; the rest stays owed
      // against what is left in escrow (credited back to the borrower once nothing is owed).
      loan.liquidated = true;
      loan.due = e.outstanding;
      loan.collateral = e.escrowLeft;
      if (loan.writtenDown > loan.due) loan.writtenDown = loan.due;
      const repaidUsd8 = valueUsd8(world, loan.asset, e.repaid);
      metrics.negotiatedLiquidatedUsd8 += repaidUsd8;
      if (e.outstanding === 0n) loan.status = "liquidated";
      events.push({
        type: "liquidated",
        step: world.step,
        ...who,
        repaidUsd8,
        seizedUsd8: valueUsd8(world, loan.collateralAsset, e.seized),
        closed: e.outstanding === 0n,
      });
    } else if (e.type === "ToppedUp") {
      loan.toppedUp = true;
      loan.collateral = e.escrow;
      events.push({
        type: "topped-up",
        step: world.step,
        ...who,
        collateralUsd8: valueUsd8(world, loan.collateralAsset, e.amount),
      });
    } else if (e.type === "DefaultClaimed") {
      loan.status = "defaulted";
      metrics.loanDefaults++;
      const loss =
        valueUsd8(world, loan.asset, loan.due) - valueUsd8(world, loan.collateralAsset, e.collateral);
      if (loss > 0n) metrics.defaultLossUsd8 += loss;
      events.push({
        type: "defaulted",
        step: world.step,
        ...who,
        principalUsd8: valueUsd8(world, loan.asset, loan.principal),
      });
    }
  });
}

export type { World };
