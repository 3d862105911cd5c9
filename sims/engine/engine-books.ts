/**
 * Each engine protocol's own book as its adapter reports it to the contagion model
 * (protocol-adapters/book-observation.ts): read from the world and the engine's latest solvency
 * view, at the end of a step. What a real protocol's adapter would read from its own contracts
 * (positions, reserves, withdrawals, claims on peers); nothing about other protocols' books,
 * which an agent learns only from their signed snapshots.
 */
import type { BookObservation } from "../../protocol-adapters/book-observation.ts";
import { isHalted } from "./liquidity.ts";
import type { StepObservation } from "./run-engine.ts";
import { usdFloat, type World } from "./world.ts";

const HF_CAP = 10;

export type EngineBooks = {
  /** Records the engine's view at the end of a step (call from runEngine's onObserve). */
  observe(o: StepObservation): void;
  /** Protocol p's book at the last observed step. */
  book(p: number): BookObservation;
};

export function createEngineBooks(world: World): EngineBooks {
  let last: StepObservation | undefined;
  let sizeUsd: Float64Array | undefined;

  const lending = (p: number): NonNullable<BookObservation["lending"]> => {
    const w = world;
    const L = w.lending;
    const nA = w.assetCount;
    let supplied = 0;
    let borrowed = 0;
    const reserves: { key: string; borrowedUsd: number; borrowIndex: number }[] = [];
    for (let r = 0; r < L.reserveAsset.length; r++) {
      if (L.protocols[L.reserveSlot[r]!] !== p) continue;
      const a = L.reserveAsset[r]!;
      const px = w.priceFloat[a]! / w.scaleFloat[a]!;
      const b = Number(L.borrowed[r]!) * px;
      if (!L.minted[r]) supplied += Number(L.supplied[r]!) * px;
      borrowed += b;
      reserves.push({ key: `reserve-${r}`, borrowedUsd: b, borrowIndex: L.borrowIndexFloat[r]! });
    }
    const hfs: number[] = [];
    let debtUsd = 0;
    let below = 0;
    for (let q = 0; q < L.positionSlot.length; q++) {
      const slot = L.positionSlot[q]!;
      if (L.protocols[slot] !== p || L.positionActive[q] === 0) continue;
      const debt = L.scaledDebtFloat[q]! * L.borrowIndexFloat[L.positionDebtReserve[q]!]!;
      const owed = debt * L.oracleAnswerFloat[slot * nA + L.positionDebtAsset[q]!]!;
      if (!(owed > 0)) continue;
      const cover =
        L.collateralFloat[q]! *
        L.oracleAnswerFloat[slot * nA + L.positionCollateralAsset[q]!]! *
        L.positionThreshold[q]! *
        L.thresholdScale[slot]!;
      const hf = Math.min(HF_CAP, cover / owed);
      const usd = debt * w.priceFloat[L.positionDebtAsset[q]!]!;
      hfs.push(hf);
      debtUsd += usd;
      if (hf < 1) below += usd;
    }
    // Percentile p: the floor(p m)-th smallest (the dataset's convention).
    const sorted = Float64Array.from(hfs).sort();
    const at = (x: number) =>
      sorted.length === 0 ? HF_CAP : sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]!;
    return {
      utilisation: supplied > 0 ? borrowed / supplied : 0,
      reserves,
      debtUsd,
      hf: {
        p05: at(0.05),
        p25: at(0.25),
        p50: at(0.5),
        belowOneDebtShare: debtUsd > 0 ? below / debtUsd : 0,
      },
    };
  };

  const perp = (p: number): NonNullable<BookObservation["perp"]> => {
    const P = world.perp;
    let openInterestUsd = 0;
    for (let q = 0; q < P.positionMarket.length; q++) {
      const m = P.markets[P.positionMarket[q]!]!;
      if (m.protocol !== p || P.positionActive[q] === 0) continue;
      openInterestUsd += P.sizeFloat[q]! * world.priceFloat[m.asset]!;
    }
    const markets: { key: string; fundingIndex: number; priceUsd: number }[] = [];
    P.markets.forEach((m, j) => {
      if (m.protocol === p)
        markets.push({
          key: `market-${j}`,
          fundingIndex: m.fundingIndex,
          priceUsd: world.priceFloat[m.asset]!,
        });
    });
    return { openInterestUsd, markets };
  };

  return {
    observe(o) {
      last = o;
      if (!sizeUsd) {
        const deposits = world.distress.startDepositsUsd8;
        sizeUsd = Float64Array.from(deposits, (d, i) => Math.max(1, usdFloat(d), o.view.assetsUsd[i]!));
      }
    },
    book(p) {
      if (!last || !sizeUsd) throw new Error("engine books: no step observed yet");
      const w = world;
      const v = last.view;
      const kind = w.protocols[p]!.kind;
      let askedUsd = 0;
      let unpaidUsd = 0;
      for (let a = 0; a < w.assetCount; a++) {
        const px = w.priceFloat[a]! / w.scaleFloat[a]!;
        askedUsd += Number(w.asked[p * w.assetCount + a]!) * px;
        unpaidUsd += Number(w.owed[p * w.assetCount + a]!) * px;
      }
      const claims: { protocolId: string; usd: number }[] = [];
      const { rowStart, column, value } = v.exposures;
      for (let k = rowStart[p]!; k < rowStart[p + 1]!; k++)
        claims.push({ protocolId: w.protocols[column[k]!]!.id, usd: value[k]! });
      const assetsAreCapital = kind === "amm" || kind === "vault";
      return {
        kind,
        sizeUsd: sizeUsd[p]!,
        startDepositsUsd: usdFloat(w.distress.startDepositsUsd8[p]!),
        startEquityUsd: usdFloat(w.distress.startEquityUsd8[p]!),
        bookEquityUsd: v.bookEquityUsd[p]!,
        capitalStartUsd: last.capitalStartUsd[p]!,
        capitalUsd: assetsAreCapital ? v.assetsUsd[p]! : Math.max(0, v.equityUsd[p]!),
        halted: isHalted(w, p),
        insolvent: v.insolvent[p]!,
        equityLossShare: w.distress.equityLossShare[p]!,
        haltedExposureShare: w.distress.haltedExposureShare[p]!,
        runShare: w.distress.runSharePerStep[p]!,
        flightShare: w.distress.flightSharePerStep[p]!,
        askedUsd,
        unpaidUsd,
        ...(kind === "lending" ? { lending: lending(p) } : {}),
        ...(kind === "perp" ? { perp: perp(p) } : {}),
        claims,
        exposedTokens: w.distress.exposedAssets[p]!.map((a) => w.assets[a]!.address),
      };
    },
  };
}
