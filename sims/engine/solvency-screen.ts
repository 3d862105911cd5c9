/**
 * The per-step solvency screen: the balance sheet and Eisenberg-Noe clearing in floats (USD),
 * over the same sparse network, to find whether any protocol is at or near default this step.
 * Like the position screen, it decides where exact work is needed: when it finds a default, a
 * protocol near one, or a protocol near its halt threshold, the engine clears in exact USD-8
 * base units (balance-sheet.ts); otherwise it uses these figures for the stress protocols observe
 * (equity losses, exposures to halted peers) and DebtRank. The engine clears exactly at the first
 * and last step regardless, and `exactClearingEveryStep` makes it clear exactly every step:
 * sims/engine/solvency-screen.test.ts shows both give the same runs.
 */
import { clearingVectorSparse } from "../contagion/clearing-vector-sparse.ts";
import { fillPattern, type SparseMatrix } from "../contagion/sparse-network.ts";
import type { BalanceSheet, Solvency } from "./balance-sheet.ts";
import type { LendingScreen } from "./lending-kernel.ts";
import { networkLayout } from "./network-layout.ts";
import { usdFloat, type World } from "./world.ts";

/** What protocols observe about solvency this step (exact or screened), in USD floats. */
export type SolvencyView = {
  /** Equity if each protocol met its network obligations in full (below zero by any shortfall). */
  bookEquityUsd: Float64Array;
  /** Clearing's equity (limited liability): what DebtRank's capital is measured by. */
  equityUsd: Float64Array;
  /** External assets (for AMMs and vaults, DebtRank's capital). */
  assetsUsd: Float64Array;
  insolvent: boolean[];
  /** Row i: what i stands to lose on each protocol it is exposed to, USD. */
  exposures: SparseMatrix;
  /** Whether this came from the exact clearing. */
  exact: boolean;
};

/** Relative and absolute margins (USD) within which the screen defers to the exact clearing. */
const RELATIVE_MARGIN = 1e-6;
const ABSOLUTE_MARGIN_USD = 1;

export type ScreenResult = { view: SolvencyView; needsExact: boolean };

/** The float balance sheet and clearing; `needsExact` when any protocol is at or near default. */
/** Per-world buffers, reused every step (the view's arrays are valid until the next screen). */
type Buffers = {
  assets: Float64Array;
  liabilities: Float64Array;
  bookEquity: Float64Array;
  equity: Float64Array;
  netWorth: Float64Array;
  outside: Float64Array;
  scale: Float64Array;
  unitPrice: Float64Array;
  claimValues: Float64Array;
  exposureValues: Float64Array;
};
const buffers = new WeakMap<World, Buffers>();

function buffersOf(world: World): Buffers {
  let b = buffers.get(world);
  if (!b) {
    const n = world.protocolCount;
    b = {
      assets: new Float64Array(n),
      liabilities: new Float64Array(n),
      bookEquity: new Float64Array(n),
      equity: new Float64Array(n),
      netWorth: new Float64Array(n),
      outside: new Float64Array(n),
      scale: Float64Array.from(world.assets, (a) => Number(a.scale)),
      unitPrice: new Float64Array(world.assetCount),
      claimValues: new Float64Array(0),
      exposureValues: new Float64Array(0),
    };
    buffers.set(world, b);
  }
  return b;
}

export function screenSolvency(world: World, screen: LendingScreen): ScreenResult {
  const n = world.protocolCount;
  const nA = world.assetCount;
  const price = world.priceFloat;
  const buffers = buffersOf(world);
  const { assets, liabilities, scale, bookEquity, equity, netWorth, outside, unitPrice } = buffers;
  assets.fill(0);
  liabilities.fill(0);
  // USD per base unit of each asset: an amount's value is Number(amount) x unitPrice.
  for (let a = 0; a < nA; a++) unitPrice[a] = price[a]! / scale[a]!;
  const units = (a: number, amount: bigint) => Number(amount) * unitPrice[a]!;

  for (let p = 0; p < n; p++)
    for (let a = 0; a < nA; a++) {
      const held = world.balance[p * nA + a]!;
      if (held !== 0n) assets[p] = assets[p]! + Number(held) * unitPrice[a]!;
    }
  const lending = world.lending;
  for (let s = 0; s < lending.protocols.length; s++)
    assets[lending.protocols[s]!] = assets[lending.protocols[s]!]! + usdFloat(lending.treasuryUsd8[s]!);
  for (let r = 0; r < lending.reserveAsset.length; r++) {
    const p = lending.protocols[lending.reserveSlot[r]!]!;
    const a = lending.reserveAsset[r]!;
    assets[p] = assets[p]! + Number(lending.borrowed[r]!) * unitPrice[a]!;
    liabilities[p] = liabilities[p]! + Number(lending.supplied[r]!) * unitPrice[a]!;
  }
  for (let k = 0; k < screen.underwaterCount; k++) {
    const i = screen.underwater[k]!;
    if (!lending.positionActive[i]) continue;
    const debt =
      lending.scaledDebtFloat[i]! *
      lending.borrowIndexFloat[lending.positionDebtReserve[i]!]! *
      price[lending.positionDebtAsset[i]!]!;
    const collateral = lending.collateralFloat[i]! * price[lending.positionCollateralAsset[i]!]!;
    if (debt > collateral) {
      const p = lending.protocols[lending.positionSlot[i]!]!;
      assets[p] = assets[p]! - (debt - collateral);
    }
  }
  const perp = world.perp;
  for (let s = 0; s < perp.protocols.length; s++) {
    const idle = perp.idle[s]!;
    if (idle > 0n)
      liabilities[perp.protocols[s]!] =
        liabilities[perp.protocols[s]!]! + units(perp.collateralAsset[s]!, idle);
  }
  for (let i = 0; i < perp.positionActive.length; i++) {
    if (!perp.positionActive[i]) continue;
    const m = perp.markets[perp.positionMarket[i]!]!;
    const s = world.perpSlotOf[m.protocol]!;
    const equity =
      perp.marginFloat[i]! * price[perp.collateralAsset[s]!]! +
      perp.positionSide[i]! * perp.sizeFloat[i]! * (price[m.asset]! - perp.entryFloat[i]!);
    if (equity > 0) liabilities[m.protocol] = liabilities[m.protocol]! + equity;
  }
  for (const v of world.vaults) {
    for (const h of v.held) assets[v.protocol] = assets[v.protocol]! + units(h.asset, h.amount);
    const par = v.parAsset < 0 ? usdFloat(v.parUsd8) : price[v.parAsset]!;
    liabilities[v.protocol] =
      liabilities[v.protocol]! + (Number(v.liabilities) / scale[v.liabilityAsset]!) * par;
  }
  for (const v of world.venues) {
    const value = units(v.x, v.rx) + units(v.y, v.ry);
    assets[v.protocol] = assets[v.protocol]! + value;
    liabilities[v.protocol] = liabilities[v.protocol]! + value;
  }
  const layout = networkLayout(world);
  // The layout grows when loans settle: the value buffers follow it.
  const exposureCount = layout.claims.length + layout.tokenHoldings.length;
  if (buffers.claimValues.length !== layout.claims.length)
    buffers.claimValues = new Float64Array(layout.claims.length);
  if (buffers.exposureValues.length !== exposureCount)
    buffers.exposureValues = new Float64Array(exposureCount);
  const { claimValues, exposureValues } = buffers;
  for (let k = 0; k < layout.claims.length; k++) {
    const { cross, loan } = layout.claims[k]!;
    if (cross) {
      const value = Number(cross.amount) * unitPrice[cross.asset]!;
      claimValues[k] = value;
      if (cross.form !== "credit-line") liabilities[cross.issuer] = liabilities[cross.issuer]! - value;
    } else if (loan) {
      const due = units(loan.asset, loan.due - loan.writtenDown);
      const secured = units(loan.collateralAsset, loan.collateral);
      assets[loan.lender] = assets[loan.lender]! + Math.min(secured, due);
      if (secured > due) assets[loan.borrower] = assets[loan.borrower]! + (secured - due);
      claimValues[k] = Math.max(0, due - secured);
    }
  }
  exposureValues.set(claimValues);
  for (let k = 0; k < layout.tokenHoldings.length; k++) {
    const c = layout.tokenHoldings[k]!;
    exposureValues[layout.claims.length + k] = units(c.asset, c.amount);
  }

  for (let p = 0; p < n; p++) {
    if (liabilities[p]! < 0) liabilities[p] = 0;
    netWorth[p] = assets[p]! - liabilities[p]!;
    outside[p] = Math.max(0, netWorth[p]!);
  }
  const network = fillPattern(layout.network, claimValues);
  const cleared = clearingVectorSparse({ liabilities: network, externalAssets: outside });
  const insolvent: boolean[] = [];
  const floors = world.distress.haltFloorUsd;
  let needsExact = false;
  for (let p = 0; p < n; p++) {
    const owed = cleared.obligations[p]!;
    const shortfall = owed - cleared.payments[p]!;
    equity[p] = netWorth[p]! + cleared.inflows[p]! - cleared.payments[p]!;
    bookEquity[p] = equity[p]! - shortfall;
    insolvent.push(bookEquity[p]! < 0);
    const margin = Math.max(ABSOLUTE_MARGIN_USD, RELATIVE_MARGIN * (owed + Math.abs(netWorth[p]!)));
    // At or near a default on network obligations: write-downs need the exact clearing.
    if (owed > 0 && Math.max(0, netWorth[p]!) + cleared.inflows[p]! - owed < margin) needsExact = true;
    // At or near its halt threshold: the decision needs exact equity.
    const floor = floors[p]!;
    if (!Number.isNaN(floor) && bookEquity[p]! < floor + margin) needsExact = true;
  }
  return {
    view: {
      bookEquityUsd: bookEquity,
      equityUsd: equity,
      assetsUsd: assets,
      insolvent,
      exposures: fillPattern(layout.exposures, exposureValues),
      exact: false,
    },
    needsExact,
  };
}

/** The view of an exact clearing. */
export function exactView(sheet: BalanceSheet, solvency: Solvency): SolvencyView {
  const n = sheet.assetsUsd8.length;
  const bookEquity = new Float64Array(n);
  const equity = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    equity[p] = usdFloat(solvency.equityUsd8[p]!);
    bookEquity[p] = usdFloat(
      solvency.equityUsd8[p]! - (solvency.obligationsUsd8[p]! - solvency.paymentsUsd8[p]!),
    );
  }
  return {
    bookEquityUsd: bookEquity,
    equityUsd: equity,
    assetsUsd: Float64Array.from(sheet.assetsUsd8, usdFloat),
    insolvent: solvency.insolvent,
    exposures: sheet.exposures,
    exact: true,
  };
}
