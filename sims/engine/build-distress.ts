/**
 * Each protocol's distress rule (when it halts withdrawals, how hard its depositors run) from the
 * scenario or the stated defaults (engine-defaults.ts), and the state distress.ts keeps: halts,
 * defaults, run demand, write-downs.
 */

import { provenanceText } from "../scenarios/scenario-engine-schema.ts";
import type { ScenarioProtocol } from "../scenarios/scenario-schema.ts";
import type { NetworkClaim } from "./balance-sheet.ts";
import { DEFAULT_DISTRESS, type DepositorRunRule } from "./engine-defaults.ts";
import { usdFloat, valueUsd8, type World } from "./world.ts";

export type DistressRule = {
  haltBelowEquityShare: number | undefined;
  haltAboveUnpaidShare: number | undefined;
  run: DepositorRunRule;
  /** Where the rule comes from ("source: ..." or "assumption: ..."), for reports. */
  provenance: string;
};

/** A claim on a protocol clearing found in default, to write down at the start of the next step. */
export type PendingMark = { claim: NetworkClaim; obligationUsd8: bigint; paymentUsd8: bigint };

export type Distress = {
  rules: DistressRule[];
  /** Equity after the first clearing (hour 0), USD-8; set by the engine at step 0 (setStartEquity). */
  startEquityUsd8: bigint[];
  /** Book equity below which each protocol halts, USD (NaN: no equity rule, or already halted). */
  haltFloorUsd: Float64Array;
  /** What depositors could withdraw at the start, USD-8 (bases for unpaid shares and run caps). */
  startDepositsUsd8: bigint[];
  /** Step at which each protocol halted withdrawals, or -1; and why. */
  haltedStep: Int32Array;
  haltReason: string[];
  /** Step at which each protocol first defaulted on network obligations, or -1. */
  defaultedStep: Int32Array;
  /** Withdrawals depositors asked for in endogenous runs so far, and the most they will ask (the
   *  rule's maxShare of starting deposits), USD: a bound on behaviour, not money on the books. */
  runDemandUsd: Float64Array;
  runCapUsd: Float64Array;
  /** Current run intensity: share of withdrawable deposits asked per step; and how many run. */
  runSharePerStep: Float64Array;
  running: number;
  /** Share of their deposits here that other protocols pull per step (the protocol's own stress). */
  flightSharePerStep: Float64Array;
  /** Observed stress behind the run intensity (last clearing). */
  equityLossShare: Float64Array;
  haltedExposureShare: Float64Array;
  drawdown: Float64Array;
  /** Losses creditors booked on claims written down, and what was written off against each
   *  debtor, USD-8 at the time of the write-down. */
  writeDownLossUsd8: bigint[];
  writtenOffUsd8: bigint[];
  pending: PendingMark[];
  /** Assets each protocol's health depends on (for the drawdown it sees). */
  exposedAssets: number[][];
};

export function resolveDistressRule(world: World, protocol: ScenarioProtocol): DistressRule {
  const base = DEFAULT_DISTRESS[protocol.kind];
  const byKind = world.scenario.distress[protocol.kind];
  const own = protocol.distress;
  const pick = <K extends "haltBelowEquityShare" | "haltAboveUnpaidShare">(key: K): number | undefined => {
    for (const rule of [own, byKind]) {
      const x = rule?.[key];
      if (x === null) return undefined;
      if (x !== undefined) return x;
    }
    return base[key];
  };
  const given = own ?? byKind;
  return {
    haltBelowEquityShare: pick("haltBelowEquityShare"),
    haltAboveUnpaidShare: pick("haltAboveUnpaidShare"),
    run: own?.run ?? byKind?.run ?? base.run,
    provenance: provenanceText(given ?? base),
  };
}

export function buildDistress(world: World): Distress {
  const n = world.protocolCount;
  const distress: Distress = {
    rules: world.scenario.protocols.map((x) => resolveDistressRule(world, x)),
    startEquityUsd8: new Array<bigint>(n).fill(0n),
    haltFloorUsd: new Float64Array(n).fill(Number.NaN),
    startDepositsUsd8: world.protocols.map((_, p) => withdrawableUsd8(world, p)),
    haltedStep: new Int32Array(n).fill(-1),
    haltReason: new Array<string>(n).fill(""),
    defaultedStep: new Int32Array(n).fill(-1),
    runDemandUsd: new Float64Array(n),
    runCapUsd: new Float64Array(n),
    runSharePerStep: new Float64Array(n),
    running: 0,
    flightSharePerStep: new Float64Array(n),
    equityLossShare: new Float64Array(n),
    haltedExposureShare: new Float64Array(n),
    drawdown: new Float64Array(n),
    writeDownLossUsd8: new Array<bigint>(n).fill(0n),
    writtenOffUsd8: new Array<bigint>(n).fill(0n),
    pending: [],
    exposedAssets: world.protocols.map((_, p) => exposedAssets(world, p)),
  };
  distress.runCapUsd = Float64Array.from(
    distress.startDepositsUsd8,
    (x, p) => usdFloat(x) * distress.rules[p]!.run.maxShare,
  );
  return distress;
}

/** What depositors of `protocol` could withdraw now, USD-8: a lending market's deposits not
 *  posted as collateral, a perp's trader collateral, a vault's liabilities at par. */
export function withdrawableUsd8(world: World, protocol: number): bigint {
  const kind = world.protocols[protocol]!.kind;
  let total = 0n;
  if (kind === "lending") {
    const lending = world.lending;
    const slot = world.lendingSlotOf[protocol]!;
    for (let r = 0; r < lending.reserveAsset.length; r++) {
      if (lending.reserveSlot[r] !== slot || lending.minted[r]) continue;
      const free = lending.supplied[r]! - lending.posted[r]!;
      if (free > 0n) total += valueUsd8(world, lending.reserveAsset[r]!, free);
    }
  } else if (kind === "perp") {
    const slot = world.perpSlotOf[protocol]!;
    const asset = world.perp.collateralAsset[slot]!;
    let margins = 0n;
    for (let i = 0; i < world.perp.positionMarket.length; i++) {
      if (
        world.perp.positionActive[i] &&
        world.perp.markets[world.perp.positionMarket[i]!]!.protocol === protocol
      )
        margins += world.perp.margin[i]!;
    }
    const idle = world.perp.idle[slot]! > 0n ? world.perp.idle[slot]! : 0n;
    total = valueUsd8(world, asset, idle + margins);
  } else if (kind === "vault") {
    const v = world.vaults[world.vaultOf[protocol]!]!;
    total = valueUsd8(world, v.liabilityAsset, v.liabilities);
  }
  return total;
}

/** Assets a protocol's health depends on: what it lends against, trades, holds or owes. */
export function exposedAssets(world: World, protocol: number): number[] {
  const set = new Set<number>();
  const lending = world.lending;
  const slot = world.lendingSlotOf[protocol]!;
  if (slot >= 0)
    for (let r = 0; r < lending.reserveAsset.length; r++)
      if (lending.reserveSlot[r] === slot) set.add(lending.reserveAsset[r]!);
  for (const m of world.perp.markets) if (m.protocol === protocol) set.add(m.asset);
  const v = world.vaultOf[protocol]!;
  if (v >= 0) {
    const vault = world.vaults[v]!;
    set.add(vault.liabilityAsset);
    for (const h of vault.held) set.add(h.asset);
  }
  for (const venue of world.venues) {
    if (venue.protocol !== protocol) continue;
    set.add(venue.x);
    set.add(venue.y);
  }
  for (let a = 0; a < world.assetCount; a++)
    if (world.balance[protocol * world.assetCount + a]! > 0n) set.add(a);
  return [...set];
}
