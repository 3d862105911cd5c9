/**
 * Risk features of one protocol, from its own adapter snapshots and its peers' latest risk
 * snapshots. Pure and causal: each call sees only observations up to now (the window is what the
 * agent has observed so far), so truncating the history never changes an earlier result.
 */
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";

export type RiskFeatureValues = {
  /** Liquid cover of obligations, 10000 = covered exactly (capped at 100000). */
  coverBps: number;
  /** Annualised realised volatility of the main price, bps. */
  volatilityBps: number;
  /** Fall from the window's peak of the main price, bps. */
  drawdownBps: number;
  /** Exposure-weighted mean of peers' reported contagion probabilities, bps. */
  neighbourStressBps: number;
};

/** A bounded window of (unix seconds, price) observations, oldest first. */
export type PriceWindow = { readonly at: number[]; readonly price: number[]; readonly capacity: number };

export function createPriceWindow(capacity = 48): PriceWindow {
  return { at: [], price: [], capacity };
}

/** Appends an observation (ignored unless strictly newer than the last one). Float boundary: the
 *  usd8 bigint becomes a float price here, for the volatility and drawdown estimates only. */
export function observePrice(w: PriceWindow, atSec: number, usd8: bigint): void {
  const last = w.at[w.at.length - 1];
  if (last !== undefined && atSec <= last) return;
  w.at.push(atSec);
  w.price.push(Number(usd8) / 1e8);
  if (w.at.length > w.capacity) {
    w.at.shift();
    w.price.shift();
  }
}

const SECONDS_PER_YEAR = 365 * 24 * 3600;
const MAX_COVER_BPS = 100_000;

/** Liquid over what the protocol must hold (liquid minus its surplus), across its tokens (the
 *  tightest). A protocol with no obligations is fully covered. */
export function coverBps(state: ProtocolState): number {
  let worst = MAX_COVER_BPS;
  for (const l of state.liquidity) {
    const need = l.liquid - l.net;
    if (need <= 0n) continue;
    const c = Number((l.liquid * 10_000n) / need);
    if (c < worst) worst = c;
  }
  return Math.min(worst, MAX_COVER_BPS);
}

export function volatilityBps(w: PriceWindow): number {
  const n = w.price.length;
  if (n < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  let span = 0;
  for (let i = 1; i < n; i++) {
    const r = Math.log(w.price[i]! / w.price[i - 1]!);
    sum += r;
    sumSq += r * r;
    span += w.at[i]! - w.at[i - 1]!;
  }
  const k = n - 1;
  const variance = Math.max(0, (sumSq - (sum * sum) / k) / (k - 1));
  const perYear = SECONDS_PER_YEAR / (span / k);
  return Math.round(Math.sqrt(variance * perYear) * 10_000);
}

export function drawdownBps(w: PriceWindow): number {
  const n = w.price.length;
  if (n === 0) return 0;
  let peak = 0;
  for (const p of w.price) if (p > peak) peak = p;
  return Math.round(((peak - w.price[n - 1]!) / peak) * 10_000);
}

/** Peers' latest contagion probabilities (ppm) with our exposure weights (default 1 each). */
export type NeighbourView = { probabilityPpm: number; weight?: number }[];

export function neighbourStressBps(neighbours: NeighbourView): number {
  let total = 0;
  let weights = 0;
  for (const n of neighbours) {
    const w = n.weight ?? 1;
    total += w * n.probabilityPpm;
    weights += w;
  }
  return weights === 0 ? 0 : Math.round(total / weights / 100);
}

export function computeRiskFeatures(p: {
  state: ProtocolState;
  prices: PriceWindow;
  neighbours: NeighbourView;
}): RiskFeatureValues {
  return {
    coverBps: coverBps(p.state),
    volatilityBps: volatilityBps(p.prices),
    drawdownBps: drawdownBps(p.prices),
    neighbourStressBps: neighbourStressBps(p.neighbours),
  };
}
