/**
 * Each protocol's balance sheet at market prices, split into what it holds and owes outside the
 * network and what protocols owe each other (deposits, credit lines, LP shares, negotiated
 * loans net of their collateral). Solvency is then decided by clearing the network with
 * Eisenberg-Noe in USD-8 base units (sims/contagion clearingVectorBaseUnits). Exposures of
 * every form (including tokens one protocol issued and another holds) feed DebtRank.
 */
import { clearingVectorBaseUnits } from "../contagion/clearing-vector-base-units.ts";
import { debtRank } from "../contagion/debtrank.ts";
import { BPS, minBig, RAY, valueUsd8, vaultParUsd8, type World } from "./world.ts";

export type BalanceSheet = {
  /** External (non-network) assets and liabilities, USD-8. */
  assetsUsd8: bigint[];
  liabilitiesUsd8: bigint[];
  /** network[i][j]: what protocol i owes protocol j, USD-8. */
  network: bigint[][];
  /** exposures[i * n + j]: what i loses if j is wiped out, USD (float, for DebtRank). */
  exposures: Float64Array;
};

export function balanceSheet(w: World): BalanceSheet {
  const n = w.nP;
  const A = new Array<bigint>(n).fill(0n);
  const Lx = new Array<bigint>(n).fill(0n);
  const net = Array.from({ length: n }, () => new Array<bigint>(n).fill(0n));
  const exposures = new Float64Array(n * n);
  const owe = (i: number, j: number, usd8: bigint) => {
    if (i === j || usd8 <= 0n) return;
    net[i]![j] = net[i]![j]! + usd8;
    exposures[j * n + i] = exposures[j * n + i]! + Number(usd8) / 1e8;
  };

  for (let p = 0; p < n; p++)
    for (let a = 0; a < w.nA; a++) A[p] = A[p]! + valueUsd8(w, a, w.bal[p * w.nA + a]!);

  // Lending: loans at face, less what underwater positions cannot repay; deposits owed.
  const L = w.lending;
  for (let s = 0; s < L.protocols.length; s++) A[L.protocols[s]!] = A[L.protocols[s]!]! + L.treasuryUsd8[s]!;
  for (let r = 0; r < L.resAsset.length; r++) {
    const p = L.protocols[L.resSlot[r]!]!;
    A[p] = A[p]! + valueUsd8(w, L.resAsset[r]!, L.borrowed[r]!);
    Lx[p] = Lx[p]! + valueUsd8(w, L.resAsset[r]!, L.supplied[r]!);
  }
  for (let i = 0; i < L.posActive.length; i++) {
    if (!L.posActive[i]) continue;
    const ca = L.posCollAsset[i]!;
    const da = L.posDebtAsset[i]!;
    const r = L.posDebtRes[i]!;
    if (L.collF[i]! * w.priceF[ca]! >= L.scaledF[i]! * L.indexF[r]! * w.priceF[da]!) continue;
    const debt = valueUsd8(w, da, (L.scaled[i]! * L.index[r]!) / RAY);
    const coll = valueUsd8(w, ca, L.coll[i]!);
    if (debt > coll) {
      const p = L.protocols[L.posSlot[i]!]!;
      A[p] = A[p]! - (debt - coll);
    }
  }

  // Perps: traders are owed their idle collateral and the equity of open positions.
  const P = w.perp;
  for (let s = 0; s < P.protocols.length; s++) {
    const p = P.protocols[s]!;
    Lx[p] = Lx[p]! + valueUsd8(w, P.collAsset[s]!, P.idle[s]! > 0n ? P.idle[s]! : 0n);
  }
  for (let i = 0; i < P.posActive.length; i++) {
    if (!P.posActive[i]) continue;
    const m = P.markets[P.posMarket[i]!]!;
    const s = w.perpSlotOf[m.protocol]!;
    const scaleU = w.assets[m.asset]!.scale;
    const pnl = (BigInt(P.posSide[i]!) * P.size[i]! * (w.price[m.asset]! - P.entryUsd8[i]!)) / scaleU;
    const equity = valueUsd8(w, P.collAsset[s]!, P.margin[i]!) + pnl;
    if (equity > 0n) Lx[m.protocol] = Lx[m.protocol]! + equity;
    // A position below zero is a loss the exchange will have to absorb.
  }

  // Vaults: backing against liabilities at par.
  for (const v of w.vaults) {
    for (const h of v.held) A[v.protocol] = A[v.protocol]! + valueUsd8(w, h.asset, h.amount);
    Lx[v.protocol] = Lx[v.protocol]! + (v.liabilities * vaultParUsd8(w, v)) / w.assets[v.liabAsset]!.scale;
  }

  // AMMs: pool value belongs to the LPs.
  for (const v of w.venues) {
    if (v.protocol < 0) continue;
    const value = valueUsd8(w, v.x, v.rx) + (v.y < 0 ? v.ry : valueUsd8(w, v.y, v.ry));
    A[v.protocol] = A[v.protocol]! + value;
    Lx[v.protocol] = Lx[v.protocol]! + value;
  }

  for (const c of w.cross) {
    const value = valueUsd8(w, c.asset, c.amount);
    if (c.form === "deposit" || c.form === "lp-shares") {
      owe(c.issuer, c.holder, value);
      Lx[c.issuer] = Lx[c.issuer]! - value;
    } else if (c.form === "credit-line") {
      owe(c.issuer, c.holder, value);
    } else {
      // Tokens the holder already carries in its own books: an exposure, not a debt.
      exposures[c.holder * n + c.issuer] = exposures[c.holder * n + c.issuer]! + Number(value) / 1e8;
    }
  }

  for (const loan of w.loans) {
    if (loan.status !== "active") continue;
    const due = valueUsd8(w, loan.asset, loan.due);
    const secured = valueUsd8(w, loan.collAsset, loan.collateral);
    A[loan.lender] = A[loan.lender]! + minBig(secured, due);
    // The borrower gets back collateral beyond what it owes; what collateral does not cover is
    // an unsecured debt to the lender.
    if (secured > due) A[loan.borrower] = A[loan.borrower]! + (secured - due);
    owe(loan.borrower, loan.lender, due - secured);
  }
  for (let p = 0; p < n; p++) if (Lx[p]! < 0n) Lx[p] = 0n;
  return { assetsUsd8: A, liabilitiesUsd8: Lx, network: net, exposures };
}

export type Solvency = {
  equityUsd8: bigint[];
  insolvent: boolean[];
  /** What insolvent protocols cannot pay: external deficit plus network shortfall, USD-8. */
  deficitUsd8: bigint[];
  insolventDebtUsd8: bigint;
};

export function clearNetwork(w: World, sheet: BalanceSheet): Solvency {
  const n = w.nP;
  const netWorth = sheet.assetsUsd8.map((a, i) => a - sheet.liabilitiesUsd8[i]!);
  const cleared = clearingVectorBaseUnits({
    liabilities: sheet.network,
    externalAssets: netWorth.map((x) => (x > 0n ? x : 0n)),
  });
  const equityUsd8: bigint[] = [];
  const insolvent: boolean[] = [];
  const deficitUsd8: bigint[] = [];
  let insolventDebtUsd8 = 0n;
  for (let i = 0; i < n; i++) {
    const equity = netWorth[i]! + cleared.inflows[i]! - cleared.payments[i]!;
    // Unpaid network obligations plus what external creditors lose.
    const deficit = cleared.shortfall[i]! + (equity < 0n ? -equity : 0n);
    // A rounding unit of clearing dust is not an insolvency.
    const bad = deficit > BPS;
    equityUsd8.push(equity);
    insolvent.push(bad);
    deficitUsd8.push(bad ? deficit : 0n);
    if (bad) insolventDebtUsd8 += deficit;
  }
  return { equityUsd8, insolvent, deficitUsd8, insolventDebtUsd8 };
}

/** DebtRank of the current losses: how much further distress the exposure network would pass on,
 *  with each protocol's distress its share of initial equity lost so far. */
export function currentDebtRank(
  sheet: BalanceSheet,
  initialEquityUsd: Float64Array,
  equityUsd: Float64Array,
): number {
  const n = initialEquityUsd.length;
  if (n === 0) return 0;
  const E = initialEquityUsd.map((e) => Math.max(1, e));
  const shock = new Float64Array(n);
  for (let i = 0; i < n; i++) shock[i] = Math.min(1, Math.max(0, (E[i]! - equityUsd[i]!) / E[i]!));
  return debtRank({ exposures: sheet.exposures, equity: E, initialShock: shock }).debtRank;
}
