/**
 * Each protocol's balance sheet at market prices, split into what it holds and owes outside the
 * network and what protocols owe each other (deposits, credit lines, LP shares, negotiated loans
 * net of their collateral), as a sparse matrix. Solvency is then decided by clearing the network
 * with Eisenberg-Noe in USD-8 base units over that sparse matrix
 * (sims/contagion clearingVectorBaseUnitsSparse). Exposures of every form (including tokens one
 * protocol issued and another holds) feed DebtRank, also sparse.
 *
 * Each network claim is kept with where it lives on the books (a cross-holding or a loan), so
 * distress.ts can write a creditor's claims down to the clearing recovery rate.
 */
import { clearingVectorBaseUnitsSparse } from "../contagion/clearing-vector-base-units-sparse.ts";
import { debtRankSparse } from "../contagion/debtrank-sparse.ts";
import {
  fillPattern,
  fillPatternBaseUnits,
  type SparseMatrix,
  type SparseMatrixBaseUnits,
} from "../contagion/sparse-network.ts";
import type { CrossHolding } from "./build-links.ts";
import type { LendingScreen } from "./lending-kernel.ts";
import { networkLayout } from "./network-layout.ts";
import {
  BPS,
  type InterProtocolLoan,
  minBig,
  RAY,
  usdFloat,
  valueUsd8,
  vaultParUsd8,
  type World,
} from "./world.ts";

/** A claim of `creditor` on `debtor` and where it lives on the books. */
export type NetworkClaim = {
  debtor: number;
  creditor: number;
  valueUsd8: bigint;
  cross?: CrossHolding | undefined;
  loan?: InterProtocolLoan | undefined;
};

export type BalanceSheet = {
  /** External (non-network) assets and liabilities, USD-8. */
  assetsUsd8: bigint[];
  liabilitiesUsd8: bigint[];
  /** Row i: what protocol i owes each creditor, USD-8. */
  network: SparseMatrixBaseUnits;
  claims: NetworkClaim[];
  /** Row i: what i loses if each protocol it is exposed to is wiped out, USD (float, for DebtRank). */
  exposures: SparseMatrix;
};

/** Adds what underwater lending positions cannot repay to their lenders' books: the shortfall of
 *  each position in `screen.underwater` (found by the last screen at the current prices). */
export function balanceSheet(world: World, screen: LendingScreen): BalanceSheet {
  const n = world.protocolCount;
  const nA = world.assetCount;
  const assets = new Array<bigint>(n).fill(0n);
  const liabilities = new Array<bigint>(n).fill(0n);

  for (let p = 0; p < n; p++)
    for (let a = 0; a < nA; a++) {
      const held = world.balance[p * nA + a]!;
      if (held !== 0n) assets[p] = assets[p]! + valueUsd8(world, a, held);
    }

  // Lending: loans at face, less what underwater positions cannot repay; deposits owed.
  const lending = world.lending;
  for (let s = 0; s < lending.protocols.length; s++)
    assets[lending.protocols[s]!] = assets[lending.protocols[s]!]! + lending.treasuryUsd8[s]!;
  for (let r = 0; r < lending.reserveAsset.length; r++) {
    const p = lending.protocols[lending.reserveSlot[r]!]!;
    assets[p] = assets[p]! + valueUsd8(world, lending.reserveAsset[r]!, lending.borrowed[r]!);
    liabilities[p] = liabilities[p]! + valueUsd8(world, lending.reserveAsset[r]!, lending.supplied[r]!);
  }
  for (let k = 0; k < screen.underwaterCount; k++) {
    const i = screen.underwater[k]!;
    if (!lending.positionActive[i]) continue;
    const r = lending.positionDebtReserve[i]!;
    const debt = valueUsd8(
      world,
      lending.positionDebtAsset[i]!,
      (lending.scaledDebt[i]! * lending.borrowIndex[r]!) / RAY,
    );
    const collateral = valueUsd8(world, lending.positionCollateralAsset[i]!, lending.collateral[i]!);
    if (debt > collateral) {
      const p = lending.protocols[lending.positionSlot[i]!]!;
      assets[p] = assets[p]! - (debt - collateral);
    }
  }

  // Perps: traders are owed their idle collateral and the equity of open positions.
  const perp = world.perp;
  for (let s = 0; s < perp.protocols.length; s++) {
    const p = perp.protocols[s]!;
    liabilities[p] =
      liabilities[p]! + valueUsd8(world, perp.collateralAsset[s]!, perp.idle[s]! > 0n ? perp.idle[s]! : 0n);
  }
  for (let i = 0; i < perp.positionActive.length; i++) {
    if (!perp.positionActive[i]) continue;
    const m = perp.markets[perp.positionMarket[i]!]!;
    const s = world.perpSlotOf[m.protocol]!;
    const scale = world.assets[m.asset]!.scale;
    const pnl =
      (BigInt(perp.positionSide[i]!) * perp.size[i]! * (world.price[m.asset]! - perp.entryUsd8[i]!)) / scale;
    const equity = valueUsd8(world, perp.collateralAsset[s]!, perp.margin[i]!) + pnl;
    if (equity > 0n) liabilities[m.protocol] = liabilities[m.protocol]! + equity;
    // A position below zero is a loss the exchange will have to absorb.
  }

  // Vaults: backing against liabilities at par.
  for (const v of world.vaults) {
    for (const h of v.held) assets[v.protocol] = assets[v.protocol]! + valueUsd8(world, h.asset, h.amount);
    liabilities[v.protocol] =
      liabilities[v.protocol]! +
      (v.liabilities * vaultParUsd8(world, v)) / world.assets[v.liabilityAsset]!.scale;
  }

  // AMMs: pool value belongs to the LPs.
  for (const v of world.venues) {
    const value = valueUsd8(world, v.x, v.rx) + valueUsd8(world, v.y, v.ry);
    assets[v.protocol] = assets[v.protocol]! + value;
    liabilities[v.protocol] = liabilities[v.protocol]! + value;
  }

  const layout = networkLayout(world);
  const claims: NetworkClaim[] = layout.claims.map(({ debtor, creditor, cross, loan }) => {
    if (cross) {
      const value = valueUsd8(world, cross.asset, cross.amount);
      if (cross.form !== "credit-line") liabilities[cross.issuer] = liabilities[cross.issuer]! - value;
      return { debtor, creditor, valueUsd8: value, cross };
    }
    const open = loan!;
    const due = valueUsd8(world, open.asset, open.due - open.writtenDown);
    const secured = valueUsd8(world, open.collateralAsset, open.collateral);
    assets[open.lender] = assets[open.lender]! + minBig(secured, due);
    // The borrower gets back collateral beyond what it owes; what collateral does not cover is
    // an unsecured debt to the lender.
    if (secured > due) assets[open.borrower] = assets[open.borrower]! + (secured - due);
    return { debtor, creditor, valueUsd8: secured < due ? due - secured : 0n, loan: open };
  });
  const exposureValues = new Float64Array(claims.length + layout.tokenHoldings.length);
  claims.forEach((c, k) => {
    exposureValues[k] = usdFloat(c.valueUsd8);
  });
  // Tokens a holder already carries in its own books: an exposure, not a debt.
  layout.tokenHoldings.forEach((c, k) => {
    exposureValues[claims.length + k] = usdFloat(valueUsd8(world, c.asset, c.amount));
  });
  for (let p = 0; p < n; p++) if (liabilities[p]! < 0n) liabilities[p] = 0n;
  return {
    assetsUsd8: assets,
    liabilitiesUsd8: liabilities,
    network: fillPatternBaseUnits(
      layout.network,
      claims.map((c) => c.valueUsd8),
    ),
    claims,
    exposures: fillPattern(layout.exposures, exposureValues),
  };
}

export type Solvency = {
  equityUsd8: bigint[];
  insolvent: boolean[];
  /** What insolvent protocols cannot pay: external deficit plus network shortfall, USD-8. */
  deficitUsd8: bigint[];
  insolventDebtUsd8: bigint;
  /** Each protocol's network obligations and clearing payments, USD-8 (recovery = payment /
   *  obligation). */
  obligationsUsd8: bigint[];
  paymentsUsd8: bigint[];
};

export function clearNetwork(world: World, sheet: BalanceSheet): Solvency {
  const n = world.protocolCount;
  const netWorth = sheet.assetsUsd8.map((a, i) => a - sheet.liabilitiesUsd8[i]!);
  const cleared = clearingVectorBaseUnitsSparse({
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
  return {
    equityUsd8,
    insolvent,
    deficitUsd8,
    insolventDebtUsd8,
    obligationsUsd8: cleared.obligations,
    paymentsUsd8: cleared.payments,
  };
}

/** DebtRank of the current losses: how much further distress the exposure network would pass on,
 *  with each protocol's distress its share of initial equity lost so far. */
export function currentDebtRank(
  exposures: SparseMatrix,
  initialEquityUsd: Float64Array,
  equityUsd: Float64Array,
): number {
  const n = initialEquityUsd.length;
  if (n === 0) return 0;
  const E = initialEquityUsd.map((e) => Math.max(1, e));
  const shock = new Float64Array(n);
  let shocked = false;
  for (let i = 0; i < n; i++) {
    shock[i] = Math.min(1, Math.max(0, (E[i]! - equityUsd[i]!) / E[i]!));
    if (shock[i]! > 0) shocked = true;
  }
  // Nobody has lost anything: nothing to pass on.
  if (!shocked) return 0;
  return debtRankSparse({ exposures, equity: E, initialShock: shock }).debtRank;
}

/** Dense n x n exposures (row i: what i stands to lose on j), USD, for reports. */
export function denseExposures(exposures: SparseMatrix): Float64Array {
  const { n, rowStart, column, value } = exposures;
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) dense[i * n + column[k]!] = value[k]!;
  return dense;
}
