/**
 * The contagion model's neighbour and system features from the shared risk picture: this agent's
 * own book and the books its peers published in their signed risk snapshots (RiskBook, wire
 * integers). The simulator's dataset computes the same figures from the whole world at once
 * (sims/dataset/observe-protocols.ts); here each comes from what some agent signed. A protocol
 * that published no book counts as unstressed, with no claims and no size: the picture only
 * knows what was shared.
 */

import type { RiskBook } from "../../negotiation/risk/risk-schemas.ts";
import { debtRankSparse } from "../../sims/contagion/debtrank-sparse.ts";
import { type SparseEntry, sparseFromEntries } from "../../sims/contagion/sparse-network.ts";

export type PictureFeatures = {
  exposureToPeersShare: number;
  neighbourStress: number;
  neighbourHaltedShare: number;
  creditorStress: number;
  systemDebtRank: number;
  systemShortfallShare: number;
  systemHaltedShare: number;
  systemInsolventShare: number;
  systemLiquidationShare: number;
  systemUnpaidShare: number;
};

/** A protocol's stress as its creditors see it: share of equity lost, 1 once halted or insolvent. */
export const bookStress = (b: RiskBook): number =>
  b.halted || b.insolvent ? 1 : Math.min(1, Math.max(0, b.equityLossPpm / 1e6));

/** DebtRank of the picture's losses (sims/engine/balance-sheet.ts currentDebtRank, over the books). */
export function pictureDebtRank(books: ReadonlyMap<string, RiskBook>): number {
  const ids = [...books.keys()];
  const index = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  if (n === 0) return 0;
  const equity = new Float64Array(n);
  const shock = new Float64Array(n);
  let shocked = false;
  const entries: SparseEntry<number>[] = [];
  ids.forEach((id, i) => {
    const b = books.get(id)!;
    const e = Math.max(1, b.capitalStartUsd);
    equity[i] = e;
    shock[i] = Math.min(1, Math.max(0, (e - b.capitalUsd) / e));
    if (shock[i]! > 0) shocked = true;
    for (const c of b.claims) {
      const j = index.get(c.protocolId);
      if (j !== undefined && j !== i) entries.push({ row: i, column: j, value: c.usd });
    }
  });
  if (!shocked) return 0;
  const exposures = sparseFromEntries("picture exposures", n, entries);
  return debtRankSparse({ exposures, equity, initialShock: shock }).debtRank;
}

/**
 * `own` is this agent's book with its float claims (what it stands to lose on each peer, which it
 * knows exactly); `books` holds every protocol's published book, its own included.
 */
export function pictureFeatures(p: {
  protocolId: string;
  sizeUsd: number;
  claims: readonly { protocolId: string; usd: number }[];
  books: ReadonlyMap<string, RiskBook>;
}): PictureFeatures {
  let exposureSum = 0;
  let stressSum = 0;
  let haltedSum = 0;
  for (const c of p.claims) {
    const b = p.books.get(c.protocolId);
    exposureSum += c.usd;
    if (!b) continue;
    stressSum += c.usd * bookStress(b);
    haltedSum += c.usd * (b.halted ? 1 : 0);
  }
  let creditorSum = 0;
  let creditorWeight = 0;
  let size = 0;
  let shortfall = 0;
  let halted = 0;
  let insolvent = 0;
  let liquidated = 0;
  let unpaid = 0;
  let deposits = 0;
  for (const [id, b] of p.books) {
    size += Math.max(1, b.sizeUsd);
    shortfall += b.shortfallUsd;
    halted += b.halted ? 1 : 0;
    insolvent += b.insolvent ? 1 : 0;
    liquidated += b.liquidatedUsd;
    unpaid += b.unpaidUsd;
    deposits += b.startDepositsUsd;
    if (id === p.protocolId) continue;
    for (const c of b.claims)
      if (c.protocolId === p.protocolId) {
        creditorSum += c.usd * bookStress(b);
        creditorWeight += c.usd;
      }
  }
  const n = Math.max(1, p.books.size);
  return {
    exposureToPeersShare: exposureSum / p.sizeUsd,
    neighbourStress: exposureSum > 0 ? stressSum / exposureSum : 0,
    neighbourHaltedShare: exposureSum > 0 ? haltedSum / exposureSum : 0,
    creditorStress: creditorWeight > 0 ? creditorSum / creditorWeight : 0,
    systemDebtRank: pictureDebtRank(p.books),
    systemShortfallShare: shortfall / Math.max(1, size),
    systemHaltedShare: halted / n,
    systemInsolventShare: insolvent / n,
    systemLiquidationShare: liquidated / Math.max(1, size),
    systemUnpaidShare: unpaid / Math.max(1, deposits),
  };
}
