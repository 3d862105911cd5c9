/**
 * One run: a scenario, a seed, a policy. Deterministic: the same inputs give the same result,
 * bit for bit (all randomness comes from the seed; money is integer).
 *
 * Each step: arbitrage and the price paths move market prices; interest and funding accrue;
 * runs add withdrawals owed; the policy negotiates and de-risks; protocols pay what they owe
 * (cash, then their deposits elsewhere, then fire sales); liquidation rounds screen lending and
 * perp positions, liquidate, and sell collateral into venues (moving the prices the next round
 * sees); finally balance sheets are cleared over the exposure network (Eisenberg-Noe) and DebtRank
 * measures how far current losses could spread.
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
  type Solvency,
} from "./balance-sheet.ts";
import { createEngineAdapter } from "./engine-adapter.ts";
import type { EngineOptions } from "./engine-options.ts";
import { type EnginePolicy, noPolicy, type PolicyEvent, type RiskPicture } from "./engine-policy.ts";
import {
  accrueInterest,
  liquidateLending,
  oraclePrices,
  screenLending,
  sellSeized,
} from "./lending-kernel.ts";
import { advanceRuns, fireSales, payOwed, unmetUsd8 } from "./liquidity.ts";
import { openStep, recentre } from "./market.ts";
import { accrueFunding, liquidatePerp, screenPerp } from "./perp-kernel.ts";
import { emptyTally } from "./tally.ts";
import { buildWorld, valueUsd8, type World } from "./world.ts";

export type RunEngineParameters = {
  scenario: Scenario;
  seed?: number | undefined;
  options?: Partial<EngineOptions> | undefined;
  policy?: EnginePolicy | undefined;
  /** Where negotiated loans settle: the LiquidityArbiter on anvil (sims/settlement/chain-backend.ts)
   *  or the in-process ledger. Same results either way. Default: a fresh ledger, so a single run
   *  needs no chain; studies (runContagionStudy, the CLIs) default to the chain. */
  settlement?: SettlementBackend | undefined;
  /** Clear the network every step (default when there are at most 64 protocols) or only at the end. */
  clearEveryStep?: boolean | undefined;
  onStep?: ((step: number, steps: number) => void) | undefined;
};

export type RunTotals = {
  /** Debt that will never be repaid: liquidations that left debt without collateral, perp losses
   *  beyond insurance and ADL, and lenders' losses on defaulted inter-protocol loans. USD-8. */
  badDebtUsd8: bigint;
  /** Protocols insolvent at the end (after network clearing), and those already insolvent at the start. */
  insolvencies: number;
  insolventAtStart: number;
  /** What insolvent protocols cannot pay at the end, USD-8. */
  insolventDebtUsd8: bigint;
  liquidationUsd8: bigint;
  liquidations: number;
  negotiatedUsd8: bigint;
  loans: number;
  defaults: number;
  adlUsd8: bigint;
  fireSaleUsd8: bigint;
  peakUnmetUsd8: bigint;
  /** Hours from the first stress (a liquidation or an unpaid withdrawal) until a step with
   *  neither and prices back within 1% of their paths; `recovered` false if it never came. */
  recoveryHours: number;
  recovered: boolean;
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
  };
  totals: RunTotals;
  end: { id: string; equityUsd8: bigint; insolvent: boolean; deficitUsd8: bigint }[];
  /** exposure[i * n + j]: what protocol i stands to lose on j, USD, at the start and the end. */
  network: { start: Float64Array; end: Float64Array };
  events: PolicyEvent[];
};

const usd = (x: bigint) => Number(x) / 1e8;

export async function runEngine(p: RunEngineParameters): Promise<RunResult> {
  const backend = p.settlement ?? createLedgerBackend();
  const assetAddresses = await backend.tokens(p.scenario.assets);
  const w = buildWorld({ scenario: p.scenario, seed: p.seed, options: p.options, assetAddresses });
  const nowSec = () => w.startTime + BigInt(Math.round(w.step * w.stepHours * 3600));

  // Settlement moves tokens on the engine's books; its events tell us what was settled.
  const run = await backend.openRun({ world: w, now: nowSec });
  try {
    return await simulate(p, w, run, nowSec);
  } finally {
    await run.close();
  }
}

async function simulate(
  p: RunEngineParameters,
  w: World,
  run: SettlementRun,
  nowSec: () => bigint,
): Promise<RunResult> {
  const policy = p.policy ?? noPolicy;
  const n = w.steps + 1;
  const clearEveryStep = p.clearEveryStep ?? w.nP <= 64;
  const rng = createRng(deriveSeed(w.seed, 9_000));
  const protocolOf = new Map(w.protocols.map((x, i) => [x.address.toLowerCase(), i]));
  const assetOf = new Map(w.assets.map((x, i) => [x.address.toLowerCase(), i]));
  const events: PolicyEvent[] = [];
  let negotiated = 0n;
  let defaultLosses = 0n;
  let defaults = 0;
  run.onEvent((e) => {
    const a = e.agreement;
    if (e.type === "Settled") {
      const asset = assetOf.get(a.principalToken.toLowerCase())!;
      negotiated += valueUsd8(w, asset, a.principal);
      w.loans.push({
        id: e.id,
        lender: protocolOf.get(a.lender.toLowerCase())!,
        borrower: protocolOf.get(a.borrower.toLowerCase())!,
        asset,
        principal: a.principal,
        due: e.amountDue,
        collAsset: assetOf.get(a.collateralToken.toLowerCase())!,
        collateral: a.collateral,
        rateBps: a.rateBps,
        openedStep: w.step,
        maturitySec: e.maturity,
        status: "active",
      });
      return;
    }
    const loan = w.loans.find((l) => l.id === e.id);
    if (!loan) return;
    const who = { lender: w.protocols[loan.lender]!.id, borrower: w.protocols[loan.borrower]!.id };
    if (e.type === "Repaid" && e.outstanding === 0n) {
      loan.status = "repaid";
      events.push({
        type: "repaid",
        step: w.step,
        ...who,
        principalUsd8: valueUsd8(w, loan.asset, loan.principal),
      });
    } else if (e.type === "DefaultClaimed") {
      loan.status = "defaulted";
      defaults++;
      const loss = valueUsd8(w, loan.asset, loan.due) - valueUsd8(w, loan.collAsset, e.collateral);
      if (loss > 0n) defaultLosses += loss;
      events.push({
        type: "defaulted",
        step: w.step,
        ...who,
        principalUsd8: valueUsd8(w, loan.asset, loan.principal),
      });
    }
  });
  const adapters = w.protocols.map((_, i) => createEngineAdapter(w, i));
  const addresses = w.protocols.map((x) => x.address);

  const series = {
    hours: Float64Array.from({ length: n }, (_, k) => k * w.stepHours),
    prices: w.assets.map(() => new Float64Array(n)),
    liquidationUsd: new Float64Array(n),
    badDebtUsd: new Float64Array(n),
    unmetUsd: new Float64Array(n),
    negotiatedUsd: new Float64Array(n),
    debtRank: new Float64Array(n),
  };
  const totals: RunTotals = {
    badDebtUsd8: 0n,
    insolvencies: 0,
    insolventAtStart: 0,
    insolventDebtUsd8: 0n,
    liquidationUsd8: 0n,
    liquidations: 0,
    negotiatedUsd8: 0n,
    loans: 0,
    defaults: 0,
    adlUsd8: 0n,
    fireSaleUsd8: 0n,
    peakUnmetUsd8: 0n,
    recoveryHours: 0,
    recovered: true,
  };

  for (const v of w.venues) recentre(w, v);
  const startSheet = balanceSheet(w);
  const startSolvency = clearNetwork(w, startSheet);
  totals.insolventAtStart = startSolvency.insolvent.filter(Boolean).length;
  const capital = (sheet: BalanceSheet, s: Solvency) =>
    Float64Array.from(w.protocols, (x, i) =>
      x.kind === "amm" || x.kind === "vault" ? usd(sheet.assetsUsd8[i]!) : Math.max(0, usd(s.equityUsd8[i]!)),
    );
  const capital0 = capital(startSheet, startSolvency);
  let solvency = startSolvency;
  let debtRankNow = 0;

  const nL = w.lending.protocols.length;
  const oracleF = new Float64Array(nL * w.nA);
  const oracleUsd8 = new Array<bigint>(nL * w.nA).fill(0n);
  const hitsL = new Int32Array(w.lending.posActive.length);
  const hitsP = new Int32Array(w.perp.posActive.length);
  const sales = new Array<bigint>(w.nA).fill(0n);
  let badDebtCum = 0n;
  let stressStart = -1;
  let recoveredAt = -1;

  for (let k = 0; k <= w.steps; k++) {
    if (k > 0) {
      openStep(w, k);
      accrueInterest(w);
      accrueFunding(w);
    }
    const tally = emptyTally();
    advanceRuns(w);

    let maxDrawdown = 0;
    let drawdownAsset = "";
    for (let a = 0; a < w.nA; a++) {
      const dd = 1 - w.priceF[a]! / w.pathF[a]![0]!;
      if (dd > maxDrawdown) {
        maxDrawdown = dd;
        drawdownAsset = w.assets[a]!.symbol;
      }
    }
    const risk: RiskPicture = {
      maxDrawdown,
      drawdownAsset,
      debtRank: debtRankNow,
      insolvent: solvency.insolvent,
      unmetUsd: usd(unmetUsd8(w)),
    };
    await policy.onStep({
      world: w,
      step: k,
      hours: k * w.stepHours,
      nowSec: nowSec(),
      adapters,
      settlement: (i) => run.port(i),
      addresses,
      domain: run.domain,
      risk,
      record: (e) => events.push(e),
    });

    payOwed(w, tally);
    fireSales(w, tally);

    for (let round = 0; round < w.options.liquidationRounds; round++) {
      oraclePrices(w, oracleF, oracleUsd8);
      const nHitL = screenLending(w, oracleF, hitsL);
      liquidateLending({ w, positions: hitsL, count: nHitL, oracleUsd8, rng, tally, sales });
      const nHitP = screenPerp(w, hitsP);
      liquidatePerp(w, hitsP, nHitP, tally, sales);
      if (nHitL + nHitP === 0) break;
      tally.soldUsd8 += sellSeized(w, sales);
    }

    if (clearEveryStep || k === w.steps) {
      const sheet = balanceSheet(w);
      solvency = clearNetwork(w, sheet);
      debtRankNow = currentDebtRank(sheet, capital0, capital(sheet, solvency));
    }

    const unmet = unmetUsd8(w);
    badDebtCum += tally.badDebtUsd8;
    totals.liquidationUsd8 += tally.liquidationUsd8;
    totals.liquidations += tally.liquidations;
    totals.adlUsd8 += tally.adlUsd8;
    totals.fireSaleUsd8 += tally.fireSaleUsd8;
    if (unmet > totals.peakUnmetUsd8) totals.peakUnmetUsd8 = unmet;
    for (let a = 0; a < w.nA; a++) series.prices[a]![k] = w.priceF[a]!;
    series.liquidationUsd[k] = usd(tally.liquidationUsd8);
    series.badDebtUsd[k] = usd(badDebtCum + defaultLosses);
    series.unmetUsd[k] = usd(unmet);
    series.negotiatedUsd[k] = usd(negotiated);
    series.debtRank[k] = debtRankNow;

    // Rounding dust (under a dollar) left on a payout is not stress.
    const stressed = tally.liquidations > 0 || unmet > 100_000_000n;
    if (stressed && stressStart < 0) stressStart = k;
    if (stressed) recoveredAt = -1;
    else if (stressStart >= 0 && recoveredAt < 0 && w.impact.every((x) => Math.abs(1 - x) < 0.01))
      recoveredAt = k;
    p.onStep?.(k, w.steps);
  }
  await policy.close?.();

  const endSheet = balanceSheet(w);
  totals.badDebtUsd8 = badDebtCum + defaultLosses;
  totals.insolvencies = solvency.insolvent.filter(Boolean).length;
  totals.insolventDebtUsd8 = solvency.insolventDebtUsd8;
  totals.negotiatedUsd8 = negotiated;
  totals.loans = w.loans.length;
  totals.defaults = defaults;
  totals.recovered = stressStart < 0 || recoveredAt >= 0;
  totals.recoveryHours =
    stressStart < 0 ? 0 : ((recoveredAt >= 0 ? recoveredAt : w.steps) - stressStart) * w.stepHours;

  return {
    scenario: p.scenario.name,
    seed: w.seed,
    policy: policy.name,
    steps: w.steps,
    stepHours: w.stepHours,
    assets: w.assets.map((a) => a.symbol),
    protocols: w.protocols.map((x) => ({ id: x.id, label: x.label, kind: x.kind })),
    series,
    totals,
    end: w.protocols.map((x, i) => ({
      id: x.id,
      equityUsd8: solvency.equityUsd8[i]!,
      insolvent: solvency.insolvent[i]!,
      deficitUsd8: solvency.deficitUsd8[i]!,
    })),
    network: { start: startSheet.exposures, end: endSheet.exposures },
    events,
  };
}

export type { World };
