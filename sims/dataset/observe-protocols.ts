/**
 * Reads, at the end of every engine step, what each protocol's agent can observe then (its own
 * books, public prices, the shared risk picture) into one Float32Array per feature column, plus
 * what the labels need (whether each protocol is distressed, its clearing shortfall). Only the
 * present and the past are read: the engine calls `observe` at step t before step t + 1 exists
 * (observe-protocols.test.ts truncates a run and checks earlier rows do not change).
 */

import { isHalted } from "../engine/liquidity.ts";
import type { StepObservation } from "../engine/run-engine.ts";
import { usdFloat, type World } from "../engine/world.ts";
import { FEATURE_COLUMNS } from "./columns.ts";
import { DatasetError } from "./errors.ts";

const HOURS_PER_YEAR = 24 * 365;
const HF_CAP = 10;
const VOL_WINDOW_HOURS = 24;

export type Observations = {
  steps: number;
  protocols: number;
  /** features[f][t * protocols + i] */
  features: Float32Array[];
  distressed: Uint8Array;
  shortfallUsd: Float64Array;
};

type Static = {
  n: number;
  nA: number;
  sizeUsd: Float64Array;
  startDepositsUsd: Float64Array;
  startEquityUsd: Float64Array;
  lendingPositions: Int32Array[];
  perpPositions: Int32Array[];
  reserves: number[][];
  markets: number[][];
};

export type ProtocolObserver = {
  observe: (o: StepObservation) => void;
  /** Protocol i's features at the last observed step, into `out` (FEATURE_COLUMNS order); false
   *  before the first observation. What an agent in the run could have known then, no more. */
  latest: (i: number, out: Float32Array) => boolean;
  finish: () => Observations;
};

export function createProtocolObserver(steps: number): ProtocolObserver {
  let world: World | undefined;
  let st: Static | undefined;
  let out: Observations | undefined;
  const col = new Map(FEATURE_COLUMNS.map((c, k) => [c.name, k]));
  const f = (name: string) => col.get(name)!;
  const F = {
    lending: f("is_lending"),
    amm: f("is_amm"),
    perp: f("is_perp"),
    vault: f("is_vault"),
    size: f("log_size_usd"),
    util: f("utilisation"),
    borrowRate: f("borrow_rate"),
    funding: f("funding_rate"),
    oi: f("open_interest_share"),
    liq: f("liquidation_share"),
    hf05: f("hf_p05"),
    hf25: f("hf_p25"),
    hf50: f("hf_p50"),
    hfBelow: f("hf_below_1_share"),
    withdrawal: f("withdrawal_share"),
    unpaid: f("unpaid_share"),
    run: f("run_intensity"),
    flight: f("flight_share"),
    equity: f("equity_share"),
    equityLoss: f("equity_loss_share"),
    haltedExposure: f("halted_exposure_share"),
    exposure: f("exposure_to_peers_share"),
    neighbour: f("neighbour_stress"),
    neighbourHalted: f("neighbour_halted_share"),
    creditor: f("creditor_stress"),
    shortfall: f("own_shortfall_share"),
    halted: f("halted"),
    insolvent: f("insolvent"),
    exposedDrawdown: f("exposed_drawdown"),
    exposedR1: f("exposed_return_1h"),
    exposedR24: f("exposed_return_24h"),
    exposedVol: f("exposed_vol_24h"),
    marketDrawdown: f("market_max_drawdown"),
    marketR1: f("market_return_1h"),
    marketR24: f("market_return_24h"),
    marketVol: f("market_vol_24h"),
    debtRank: f("system_debtrank"),
    sysShortfall: f("system_shortfall_share"),
    sysHalted: f("system_halted_share"),
    sysInsolvent: f("system_insolvent_share"),
    sysLiq: f("system_liquidation_share"),
    sysUnpaid: f("system_unpaid_share"),
  };

  // Per-step state carried forward (the past only).
  let logPrices: Float64Array[] = [];
  let prevDebtOrOi = new Float64Array(0);
  let prevIndex = new Float64Array(0);
  let prevFunding = new Float64Array(0);
  let hfScratch = new Float64Array(0);
  let debtScratch = new Float64Array(0);

  function init(w: World, o: StepObservation) {
    world = w;
    const n = w.protocolCount;
    const nA = w.assetCount;
    const lendingLists: number[][] = Array.from({ length: n }, () => []);
    w.lending.positionSlot.forEach((slot, i) => {
      lendingLists[w.lending.protocols[slot]!]!.push(i);
    });
    const perpLists: number[][] = Array.from({ length: n }, () => []);
    w.perp.positionMarket.forEach((m, i) => {
      perpLists[w.perp.markets[m]!.protocol]!.push(i);
    });
    const reserves: number[][] = Array.from({ length: n }, () => []);
    w.lending.reserveSlot.forEach((slot, r) => {
      reserves[w.lending.protocols[slot]!]!.push(r);
    });
    const markets: number[][] = Array.from({ length: n }, () => []);
    w.perp.markets.forEach((m, j) => {
      markets[m.protocol]!.push(j);
    });
    const startDepositsUsd = Float64Array.from(w.distress.startDepositsUsd8, usdFloat);
    const sizeUsd = new Float64Array(n);
    for (let i = 0; i < n; i++) sizeUsd[i] = Math.max(1, startDepositsUsd[i]!, o.view.assetsUsd[i]!);
    st = {
      n,
      nA,
      sizeUsd,
      startDepositsUsd,
      startEquityUsd: Float64Array.from(w.distress.startEquityUsd8, usdFloat),
      lendingPositions: lendingLists.map((l) => Int32Array.from(l)),
      perpPositions: perpLists.map((l) => Int32Array.from(l)),
      reserves,
      markets,
    };
    const cells = (steps + 1) * n;
    out = {
      steps,
      protocols: n,
      features: FEATURE_COLUMNS.map(() => new Float32Array(cells)),
      distressed: new Uint8Array(cells),
      shortfallUsd: new Float64Array(cells),
    };
    logPrices = Array.from({ length: nA }, () => new Float64Array(steps + 1));
    prevDebtOrOi = new Float64Array(n).fill(Number.NaN);
    prevIndex = Float64Array.from(w.lending.borrowIndexFloat);
    prevFunding = Float64Array.from(w.perp.markets, (m) => m.fundingIndex);
    const most = Math.max(1, ...st.lendingPositions.map((l) => l.length));
    hfScratch = new Float64Array(most);
    debtScratch = new Float64Array(most);
  }

  let lastStep = -1;
  function observe(o: StepObservation): void {
    if (!world) init(o.world, o);
    lastStep = o.step;
    const w = world!;
    const s = st!;
    const x = out!;
    const { n, nA } = s;
    const t = o.step;
    const base = t * n;
    const set = (k: number, i: number, v: number) => {
      x.features[k]![base + i] = Number.isFinite(v) ? v : 0;
    };
    const hoursPerStep = w.stepHours;
    const lag = (h: number) => Math.max(0, t - Math.max(1, Math.round(h / hoursPerStep)));

    // Prices: log history, returns and realised volatility per asset (past only).
    const r1 = new Float64Array(nA);
    const r24 = new Float64Array(nA);
    const vol = new Float64Array(nA);
    const drawdown = new Float64Array(nA);
    const volSteps = Math.max(2, Math.round(VOL_WINDOW_HOURS / hoursPerStep));
    for (let a = 0; a < nA; a++) {
      const lp = logPrices[a]!;
      lp[t] = Math.log(Math.max(1e-12, w.priceFloat[a]!));
      r1[a] = t > 0 ? lp[t]! - lp[t - 1]! : 0;
      r24[a] = lp[t]! - lp[lag(24)]!;
      const from = Math.max(1, t - volSteps + 1);
      let sum = 0;
      let sum2 = 0;
      let m = 0;
      for (let k = from; k <= t; k++) {
        const r = lp[k]! - lp[k - 1]!;
        sum += r;
        sum2 += r * r;
        m++;
      }
      vol[a] =
        m > 1
          ? Math.sqrt(Math.max(0, (sum2 - (sum * sum) / m) / (m - 1)) * (HOURS_PER_YEAR / hoursPerStep))
          : 0;
      drawdown[a] = Math.max(0, 1 - w.priceFloat[a]! / w.pathFloat[a]![0]!);
    }
    let marketDrawdown = 0;
    let marketR1 = 0;
    let marketR24 = 0;
    let marketVol = 0;
    for (let a = 0; a < nA; a++) {
      marketDrawdown = Math.max(marketDrawdown, drawdown[a]!);
      marketR1 = Math.min(marketR1, r1[a]!);
      marketR24 = Math.min(marketR24, r24[a]!);
      marketVol = Math.max(marketVol, vol[a]!);
    }

    // Stress of each protocol, for neighbour features.
    const stress = new Float64Array(n);
    const halted = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      halted[i] = isHalted(w, i) ? 1 : 0;
      stress[i] =
        halted[i] || o.view.insolvent[i] ? 1 : Math.min(1, Math.max(0, w.distress.equityLossShare[i]!));
    }
    const { rowStart, column, value } = o.view.exposures;
    const creditorSum = new Float64Array(n);
    const creditorWeight = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
        const j = column[k]!;
        creditorSum[j] = creditorSum[j]! + value[k]! * stress[i]!;
        creditorWeight[j] = creditorWeight[j]! + value[k]!;
      }

    let sysShortfall = 0;
    let sysSize = 0;
    let sysHalted = 0;
    let sysInsolvent = 0;
    let sysUnpaid = 0;
    let sysDeposits = 0;
    for (let i = 0; i < n; i++) {
      sysShortfall += Math.max(0, -o.view.bookEquityUsd[i]!);
      sysSize += s.sizeUsd[i]!;
      sysHalted += halted[i]!;
      sysInsolvent += o.view.insolvent[i] ? 1 : 0;
      sysDeposits += s.startDepositsUsd[i]!;
    }
    let sysLiq = 0;

    for (let i = 0; i < n; i++) {
      const kind = w.protocols[i]!.kind;
      const size = s.sizeUsd[i]!;
      set(F.lending, i, kind === "lending" ? 1 : 0);
      set(F.amm, i, kind === "amm" ? 1 : 0);
      set(F.perp, i, kind === "perp" ? 1 : 0);
      set(F.vault, i, kind === "vault" ? 1 : 0);
      set(F.size, i, Math.log10(size));

      // Lending: utilisation, borrow rate, debt, health factors.
      let debtOrOi = 0;
      if (kind === "lending") {
        let supplied = 0;
        let borrowed = 0;
        let rateWeighted = 0;
        for (const r of s.reserves[i]!) {
          const a = w.lending.reserveAsset[r]!;
          const px = w.priceFloat[a]! / w.scaleFloat[a]!;
          const b = Number(w.lending.borrowed[r]!) * px;
          if (!w.lending.minted[r]) supplied += Number(w.lending.supplied[r]!) * px;
          borrowed += b;
          const idx = w.lending.borrowIndexFloat[r]!;
          const growth = prevIndex[r]! > 0 ? idx / prevIndex[r]! - 1 : 0;
          rateWeighted += b * growth * (HOURS_PER_YEAR / hoursPerStep);
          prevIndex[r] = idx;
        }
        set(F.util, i, supplied > 0 ? borrowed / supplied : 0);
        set(F.borrowRate, i, borrowed > 0 ? rateWeighted / borrowed : 0);
        const L = w.lending;
        const positions = s.lendingPositions[i]!;
        let m = 0;
        let totalDebt = 0;
        let debtBelow = 0;
        for (let q = 0; q < positions.length; q++) {
          const p = positions[q]!;
          if (L.positionActive[p] === 0) continue;
          const slot = L.positionSlot[p]!;
          const debt = L.scaledDebtFloat[p]! * L.borrowIndexFloat[L.positionDebtReserve[p]!]!;
          const owed = debt * L.oracleAnswerFloat[slot * nA + L.positionDebtAsset[p]!]!;
          if (!(owed > 0)) continue;
          const weighted =
            L.collateralFloat[p]! *
            L.oracleAnswerFloat[slot * nA + L.positionCollateralAsset[p]!]! *
            L.positionThreshold[p]! *
            L.thresholdScale[slot]!;
          const hf = Math.min(HF_CAP, weighted / owed);
          const debtUsd = debt * w.priceFloat[L.positionDebtAsset[p]!]!;
          hfScratch[m] = hf;
          debtScratch[m] = debtUsd;
          m++;
          totalDebt += debtUsd;
          if (hf < 1) debtBelow += debtUsd;
        }
        const sorted = hfScratch.subarray(0, m).sort();
        const q = (p: number) => (m === 0 ? HF_CAP : sorted[Math.min(m - 1, Math.floor(p * m))]!);
        set(F.hf05, i, q(0.05));
        set(F.hf25, i, q(0.25));
        set(F.hf50, i, q(0.5));
        set(F.hfBelow, i, totalDebt > 0 ? debtBelow / totalDebt : 0);
        debtOrOi = totalDebt;
      } else {
        set(F.util, i, 0);
        set(F.borrowRate, i, 0);
        set(F.hf05, i, HF_CAP);
        set(F.hf25, i, HF_CAP);
        set(F.hf50, i, HF_CAP);
        set(F.hfBelow, i, 0);
      }

      // Perp: open interest and funding.
      if (kind === "perp") {
        const P = w.perp;
        let oi = 0;
        for (const p of s.perpPositions[i]!) {
          if (P.positionActive[p] === 0) continue;
          oi += P.sizeFloat[p]! * w.priceFloat[P.markets[P.positionMarket[p]!]!.asset]!;
        }
        let funding = 0;
        let weight = 0;
        for (const j of s.markets[i]!) {
          const m = P.markets[j]!;
          const px = w.priceFloat[m.asset]!;
          const rate =
            px > 0 ? ((m.fundingIndex - prevFunding[j]!) / px) * (HOURS_PER_YEAR / hoursPerStep) : 0;
          prevFunding[j] = m.fundingIndex;
          funding += rate * px;
          weight += px;
        }
        set(F.funding, i, weight > 0 ? funding / weight : 0);
        set(F.oi, i, oi / size);
        debtOrOi = oi;
      } else {
        set(F.funding, i, 0);
        set(F.oi, i, 0);
      }
      const before = prevDebtOrOi[i]!;
      const fall = Number.isNaN(before) ? 0 : Math.max(0, before - debtOrOi);
      prevDebtOrOi[i] = debtOrOi;
      set(F.liq, i, fall / size);
      sysLiq += fall;

      // Withdrawals and runs.
      let asked = 0;
      let owed = 0;
      for (let a = 0; a < nA; a++) {
        const px = w.priceFloat[a]! / w.scaleFloat[a]!;
        asked += Number(w.asked[i * nA + a]!) * px;
        owed += Number(w.owed[i * nA + a]!) * px;
      }
      sysUnpaid += owed;
      const deposits = Math.max(1, s.startDepositsUsd[i]!);
      set(F.withdrawal, i, asked / deposits);
      set(F.unpaid, i, owed / deposits);
      set(F.run, i, w.distress.runSharePerStep[i]!);
      set(F.flight, i, w.distress.flightSharePerStep[i]!);

      // Solvency and neighbours.
      const bookEquity = o.view.bookEquityUsd[i]!;
      const startEquity = s.startEquityUsd[i]!;
      set(F.equity, i, startEquity > 0 ? bookEquity / startEquity : bookEquity >= 0 ? 1 : -1);
      set(F.equityLoss, i, w.distress.equityLossShare[i]!);
      set(F.haltedExposure, i, w.distress.haltedExposureShare[i]!);
      let exposureSum = 0;
      let stressSum = 0;
      let haltedSum = 0;
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
        const j = column[k]!;
        exposureSum += value[k]!;
        stressSum += value[k]! * stress[j]!;
        haltedSum += value[k]! * halted[j]!;
      }
      set(F.exposure, i, exposureSum / size);
      set(F.neighbour, i, exposureSum > 0 ? stressSum / exposureSum : 0);
      set(F.neighbourHalted, i, exposureSum > 0 ? haltedSum / exposureSum : 0);
      set(F.creditor, i, creditorWeight[i]! > 0 ? creditorSum[i]! / creditorWeight[i]! : 0);
      const shortfall = Math.max(0, -bookEquity);
      set(F.shortfall, i, shortfall / size);
      set(F.halted, i, halted[i]!);
      set(F.insolvent, i, o.view.insolvent[i] ? 1 : 0);

      // The assets it is exposed to.
      let exDrawdown = 0;
      let exR1 = 0;
      let exR24 = 0;
      let exVol = 0;
      for (const a of w.distress.exposedAssets[i]!) {
        exDrawdown = Math.max(exDrawdown, drawdown[a]!);
        exR1 = Math.min(exR1, r1[a]!);
        exR24 = Math.min(exR24, r24[a]!);
        exVol = Math.max(exVol, vol[a]!);
      }
      set(F.exposedDrawdown, i, exDrawdown);
      set(F.exposedR1, i, exR1);
      set(F.exposedR24, i, exR24);
      set(F.exposedVol, i, exVol);
      set(F.marketDrawdown, i, marketDrawdown);
      set(F.marketR1, i, marketR1);
      set(F.marketR24, i, marketR24);
      set(F.marketVol, i, marketVol);
      set(F.debtRank, i, o.debtRank);
      set(F.sysShortfall, i, sysShortfall / Math.max(1, sysSize));
      set(F.sysHalted, i, sysHalted / n);
      set(F.sysInsolvent, i, sysInsolvent / n);
      set(F.sysUnpaid, i, 0);

      const defaulted = w.distress.defaultedStep[i]!;
      x.distressed[base + i] = halted[i] || o.view.insolvent[i] || (defaulted >= 0 && t >= defaulted) ? 1 : 0;
      x.shortfallUsd[base + i] = shortfall;
    }
    // System totals that need every protocol's figure first.
    for (let i = 0; i < n; i++) {
      set(F.sysLiq, i, sysLiq / Math.max(1, sysSize));
      set(F.sysUnpaid, i, sysUnpaid / Math.max(1, sysDeposits));
    }
  }

  return {
    observe,
    latest: (i, dst) => {
      if (!out || lastStep < 0) return false;
      const at = lastStep * out.protocols + i;
      for (let k = 0; k < out.features.length; k++) dst[k] = out.features[k]![at]!;
      return true;
    },
    finish: () => {
      if (!out) throw new DatasetError({ problem: "the engine reported no step to observe" });
      return out;
    },
  };
}
