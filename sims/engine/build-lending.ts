/**
 * Lending markets from the scenario: reserves, liquidation rules (Aave-style fixed spread with a
 * close factor that rises to 100% below a health factor, or Maker-style auctions), push oracles
 * (deviation threshold and heartbeat), e-mode categories, and the borrower book: positions whose
 * debts add up to each reserve's borrowed amount, with health factors drawn from the scenario's
 * distribution.
 */
import type { createRng } from "../paths/prng.ts";
import { BPS, RAY, toFloat, valueUsd8, type World } from "./world.ts";

export const AUCTION_NONE = 0;
export const AUCTION_DUTCH = 1;
export const AUCTION_ENGLISH = 2;

export type EmodeInfo = { slot: number; id: string; assets: number[]; share: number };

export type Lending = {
  /** Protocol index of each lending slot. */
  protocols: Int32Array;
  closeFactorBps: Int32Array;
  /** Health factor (bps) below which the whole debt may be repaid; 0 = never (Aave v2). */
  fullCloseBelowHealthBps: Int32Array;
  /** AUCTION_NONE (fixed spread), AUCTION_DUTCH (Clipper) or AUCTION_ENGLISH (Flip). */
  auctionStyle: Uint8Array;
  auctionHours: Float64Array;
  noKeeperShare: Float64Array;
  auctionStartBuffer: Float64Array;
  auctionDecayPerHour: Float64Array;
  oracleDelaySteps: Int32Array;
  /** Push oracle per [slot * assetCount + asset]: deviation share (0: every update) and heartbeat. */
  oracleDeviation: Float64Array;
  oracleHeartbeatHours: Float64Array;
  /** The on-chain answer, USD-8, its float mirror, and the hour it was last written (-inf: never). */
  oracleAnswerUsd8: bigint[];
  oracleAnswerFloat: Float64Array;
  oracleUpdatedHour: Float64Array;
  /** De-risking multiplies liquidation thresholds by this (1 = as configured). */
  thresholdScale: Float64Array;
  treasuryUsd8: bigint[];
  creditPaused: Uint8Array;
  bufferBps: Int32Array;
  emode: EmodeInfo[];
  // Reserves
  reserveSlot: Int32Array;
  reserveAsset: Int32Array;
  minted: Uint8Array;
  thresholdBps: Int32Array;
  bonusBps: Int32Array;
  /** Deposits (or, minted, the amount issued): what the protocol owes. */
  supplied: bigint[];
  /** Outstanding loans: positions plus borrowers we do not model one by one. */
  borrowed: bigint[];
  /** Collateral posted by modelled positions (part of `supplied`, not lendable). */
  posted: bigint[];
  badDebt: bigint[];
  /** Liquidated so far per [slot * assetCount + collateral asset], USD-8 at the oracle: debt
   *  repaid or written off, and collateral seized (what subgraphs call liquidated USD). */
  liquidatedDebtUsd8: bigint[];
  seizedCollateralUsd8: bigint[];
  badDebtByMarketUsd8: bigint[];
  borrowIndex: bigint[];
  borrowIndexFloat: Float64Array;
  // Positions
  positionSlot: Int32Array;
  positionDebtReserve: Int32Array;
  positionCollateralReserve: Int32Array;
  positionDebtAsset: Int32Array;
  positionCollateralAsset: Int32Array;
  /** Liquidation threshold and bonus of each position (its e-mode category's, if in one). */
  positionThreshold: Float64Array;
  positionThresholdBps: Int32Array;
  positionBonusBps: Int32Array;
  /** E-mode category (index into `emode`) or -1. */
  positionEmode: Int16Array;
  positionActive: Uint8Array;
  /** Float mirrors for the screen: collateral and scaled debt in whole tokens. */
  collateralFloat: Float64Array;
  scaledDebtFloat: Float64Array;
  collateral: bigint[];
  scaledDebt: bigint[];
};

type Rng = ReturnType<typeof createRng>;

export function buildLending(
  world: World,
  assetOf: (s: string, where: string) => number,
  rng: Rng,
  gauss: () => number,
): Lending {
  const nA = world.assetCount;
  const protos = world.scenario.protocols.flatMap((x, p) => (x.kind === "lending" ? [{ x, p }] : []));
  const slots = protos.length;
  const reserves = protos.flatMap(({ x }, slot) => x.reserves.map((r) => ({ r, slot, proto: x })));
  const reserveCount = reserves.length;
  const perProtocol = world.options.positionsPerLending;
  const positionCount = perProtocol * slots;
  const auction = (x: (typeof protos)[number]["x"]) =>
    x.liquidation.mechanism === "auction" ? x.liquidation : undefined;
  const lending: Lending = {
    protocols: Int32Array.from(protos.map((x) => x.p)),
    closeFactorBps: Int32Array.from(protos.map(({ x }) => Math.round(x.closeFactor * 10_000))),
    fullCloseBelowHealthBps: Int32Array.from(
      protos.map(({ x }) =>
        x.liquidation.mechanism === "fixed-spread" && x.liquidation.fullCloseBelowHealthFactor !== undefined
          ? Math.round(x.liquidation.fullCloseBelowHealthFactor * 10_000)
          : 0,
      ),
    ),
    auctionStyle: Uint8Array.from(
      protos.map(({ x }) => {
        const a = auction(x);
        return a === undefined ? AUCTION_NONE : a.style === "english" ? AUCTION_ENGLISH : AUCTION_DUTCH;
      }),
    ),
    auctionHours: Float64Array.from(protos.map(({ x }) => auction(x)?.durationHours ?? 0)),
    noKeeperShare: Float64Array.from(protos.map(({ x }) => auction(x)?.noKeeperShare ?? 0)),
    auctionStartBuffer: Float64Array.from(protos.map(({ x }) => auction(x)?.startBuffer ?? 1)),
    auctionDecayPerHour: Float64Array.from(protos.map(({ x }) => auction(x)?.priceDecayPerHour ?? 0)),
    oracleDelaySteps: Int32Array.from(
      protos.map(({ x }) => Math.round(x.oracleDelayHours / world.stepHours)),
    ),
    oracleDeviation: new Float64Array(slots * nA),
    oracleHeartbeatHours: new Float64Array(slots * nA),
    oracleAnswerUsd8: new Array<bigint>(slots * nA).fill(0n),
    oracleAnswerFloat: new Float64Array(slots * nA),
    oracleUpdatedHour: new Float64Array(slots * nA).fill(Number.NEGATIVE_INFINITY),
    thresholdScale: new Float64Array(slots).fill(1),
    treasuryUsd8: new Array<bigint>(slots).fill(0n),
    creditPaused: new Uint8Array(slots),
    bufferBps: new Int32Array(slots).fill(Math.round(world.options.lendingBufferShare * 10_000)),
    emode: [],
    reserveSlot: Int32Array.from(reserves.map((r) => r.slot)),
    reserveAsset: Int32Array.from(reserves.map(({ r, proto }) => assetOf(r.asset, `${proto.id}.reserves`))),
    minted: Uint8Array.from(reserves.map(({ r }) => (r.minted ? 1 : 0))),
    thresholdBps: Int32Array.from(
      reserves.map(({ r }) => Math.round((r.collateral?.liquidationThreshold ?? 0) * 10_000)),
    ),
    bonusBps: Int32Array.from(
      reserves.map(({ r }) => Math.round((r.collateral?.liquidationBonus ?? 0) * 10_000)),
    ),
    supplied: reserves.map(({ r }) => (r.minted ? r.borrowed : r.supplied)),
    borrowed: reserves.map(({ r }) => r.borrowed),
    posted: new Array<bigint>(reserveCount).fill(0n),
    badDebt: new Array<bigint>(reserveCount).fill(0n),
    liquidatedDebtUsd8: new Array<bigint>(slots * nA).fill(0n),
    seizedCollateralUsd8: new Array<bigint>(slots * nA).fill(0n),
    badDebtByMarketUsd8: new Array<bigint>(slots * nA).fill(0n),
    borrowIndex: new Array<bigint>(reserveCount).fill(RAY),
    borrowIndexFloat: new Float64Array(reserveCount).fill(1),
    positionSlot: new Int32Array(positionCount),
    positionDebtReserve: new Int32Array(positionCount),
    positionCollateralReserve: new Int32Array(positionCount),
    positionDebtAsset: new Int32Array(positionCount),
    positionCollateralAsset: new Int32Array(positionCount),
    positionThreshold: new Float64Array(positionCount),
    positionThresholdBps: new Int32Array(positionCount),
    positionBonusBps: new Int32Array(positionCount),
    positionEmode: new Int16Array(positionCount).fill(-1),
    positionActive: new Uint8Array(positionCount),
    collateralFloat: new Float64Array(positionCount),
    scaledDebtFloat: new Float64Array(positionCount),
    collateral: new Array<bigint>(positionCount).fill(0n),
    scaledDebt: new Array<bigint>(positionCount).fill(0n),
  };
  protos.forEach(({ p, x }, slot) => {
    world.lendingSlotOf[p] = slot;
    for (let a = 0; a < nA; a++) {
      // Default: a fresh answer every step (deviation 0, heartbeat of one step).
      lending.oracleHeartbeatHours[slot * nA + a] = world.stepHours;
      if (x.oracle) {
        lending.oracleDeviation[slot * nA + a] = x.oracle.deviation;
        lending.oracleHeartbeatHours[slot * nA + a] = x.oracle.heartbeatHours;
      }
    }
    for (const feed of x.oracle?.feeds ?? []) {
      const a = assetOf(feed.asset, `${x.id}.oracle.feeds`);
      lending.oracleDeviation[slot * nA + a] = feed.deviation;
      lending.oracleHeartbeatHours[slot * nA + a] = feed.heartbeatHours;
    }
    for (const e of x.emode) {
      lending.emode.push({
        slot,
        id: e.id,
        assets: e.assets.map((s) => assetOf(s, `${x.id}.emode.${e.id}`)),
        share: e.share,
      });
    }
  });
  reserves.forEach((_, r) => {
    world.reserveAt[lending.protocols[lending.reserveSlot[r]!]! * nA + lending.reserveAsset[r]!] = r;
  });
  // Cash: deposits not lent out (nothing for minted reserves).
  reserves.forEach(({ r, slot }, i) => {
    if (r.minted) return;
    const p = protos[slot]!.p;
    const a = lending.reserveAsset[i]!;
    world.balance[p * nA + a] =
      world.balance[p * nA + a]! + (r.supplied > r.borrowed ? r.supplied - r.borrowed : 0n);
  });

  let pos = 0;
  protos.forEach(({ x, p }, slot) => {
    const mine = reserves.flatMap((_, i) => (lending.reserveSlot[i] === slot ? [i] : []));
    const debtReserves = mine.filter((i) => lending.borrowed[i]! > 0n);
    const collateralReserves = mine.filter((i) => lending.thresholdBps[i]! > 0 && !lending.minted[i]);
    let depositsUsd8 = 0n;
    for (const i of mine) depositsUsd8 += valueUsd8(world, lending.reserveAsset[i]!, lending.supplied[i]!);
    lending.treasuryUsd8[slot] =
      (depositsUsd8 * BigInt(Math.round(world.options.lendingTreasuryShare * 1e6))) / 1_000_000n;
    if (debtReserves.length === 0 || collateralReserves.length === 0) return;
    const perReserve = collateralReserves.some((c) => reserves[c]!.r.initialHealthFactor !== undefined);

    // Positions per debt reserve in proportion to its value.
    const debtValue = debtReserves.map((i) =>
      Number(valueUsd8(world, lending.reserveAsset[i]!, lending.borrowed[i]!)),
    );
    const totalDebtValue = debtValue.reduce((s, v) => s + v, 0);
    const counts = debtValue.map((v) => Math.max(1, Math.floor((perProtocol * v) / totalDebtValue)));
    while (counts.reduce((s, c) => s + c, 0) > perProtocol) counts[counts.indexOf(Math.max(...counts))]!--;
    const emodes = x.emode.map((e, k) => ({ e, index: lending.emode.findIndex((m) => m.slot === slot) + k }));

    const first = pos;
    debtReserves.forEach((r, j) => {
      const n = counts[j]!;
      let weights = Array.from({ length: n }, () => BigInt(Math.round(Math.exp(gauss()) * 1e6)) + 1n);
      // Lognormal excess: health factors are drawn first, and each debt is its size weight over its
      // health factor, so collateral (debt x HF / threshold) is what the size weight spreads: the
      // fitted distribution is the collateral-weighted one (docs/SIMULATION.md, "Backtest").
      const hf = x.initialHealthFactor;
      const debtAsset = lending.reserveAsset[r]!;
      const choices = collateralReserves.filter((c) => lending.reserveAsset[c] !== debtAsset);
      const available = choices.map((c) =>
        Number(valueUsd8(world, lending.reserveAsset[c]!, world.balance[p * nA + lending.reserveAsset[c]!]!)),
      );
      const availableSum = available.reduce((s, v) => s + v, 0);
      const pickCollateral = () => {
        let u = rng.nextFloat() * availableSum;
        for (let q = 0; q < choices.length; q++) {
          u -= available[q]!;
          if (u < 0) return choices[q]!;
        }
        return choices[choices.length - 1]!;
      };
      // A reserve with its own distribution (fitted on its own liquidations): collateral is picked
      // first and the health factor drawn from that reserve's book. Without one, the protocol's
      // distribution for every position, in the original draw order (seeded runs unchanged).
      const chosen =
        perReserve && choices.length > 0 ? Array.from({ length: n }, () => pickCollateral()) : undefined;
      const drawnHealth = chosen
        ? chosen.map((c) => {
            const own = reserves[c]!.r.initialHealthFactor ?? hf;
            if ("distribution" in own) return 1 + own.medianExcess * Math.exp(own.sigma * gauss());
            return "mean" in own ? Math.max(1.02, own.mean + own.std * gauss()) : Number.NaN;
          })
        : "distribution" in hf
          ? weights.map(() => 1 + hf.medianExcess * Math.exp(hf.sigma * gauss()))
          : undefined;
      if (drawnHealth)
        weights = weights.map((w, k) => (w * 1_000_000n) / BigInt(Math.round(drawnHealth[k]! * 1e6)) + 1n);
      const weightSum = weights.reduce((s, v) => s + v, 0n);
      if (choices.length === 0) return;
      for (let k = 0; k < n; k++) {
        const debt = (lending.borrowed[r]! * weights[k]!) / weightSum;
        const c = chosen?.[k] ?? pickCollateral();
        const healthFactor =
          drawnHealth?.[k] ?? ("mean" in hf ? Math.max(1.02, hf.mean + hf.std * gauss()) : Number.NaN);
        const collateralAsset = lending.reserveAsset[c]!;
        // E-mode: a position whose collateral and debt are both in a category uses it with the
        // category's share (drawn only for eligible positions, so other books stay as they were).
        let thresholdBps = lending.thresholdBps[c]!;
        let bonusBps = lending.bonusBps[c]!;
        let emode = -1;
        for (const { e, index } of emodes) {
          const ids = lending.emode[index]!.assets;
          if (!ids.includes(collateralAsset) || !ids.includes(debtAsset)) continue;
          if (rng.nextFloat() < e.share) {
            thresholdBps = Math.round(e.liquidationThreshold * 10_000);
            bonusBps = Math.round(e.liquidationBonus * 10_000);
            emode = index;
          }
          break;
        }
        const collateral =
          (debt *
            world.price[debtAsset]! *
            world.assets[collateralAsset]!.scale *
            BigInt(Math.round(healthFactor * 1e6)) *
            BPS) /
          (world.price[collateralAsset]! *
            world.assets[debtAsset]!.scale *
            1_000_000n *
            BigInt(thresholdBps));
        lending.positionSlot[pos] = slot;
        lending.positionDebtReserve[pos] = r;
        lending.positionCollateralReserve[pos] = c;
        lending.positionDebtAsset[pos] = debtAsset;
        lending.positionCollateralAsset[pos] = collateralAsset;
        lending.positionThreshold[pos] = thresholdBps / 10_000;
        lending.positionThresholdBps[pos] = thresholdBps;
        lending.positionBonusBps[pos] = bonusBps;
        lending.positionEmode[pos] = emode;
        lending.positionActive[pos] = 1;
        lending.collateral[pos] = collateral;
        lending.scaledDebt[pos] = debt;
        pos++;
      }
    });
    // Posted collateral cannot exceed what the reserve holds: shrink positions (debt and
    // collateral together, so health factors stay) where it would.
    for (const c of collateralReserves) {
      const a = lending.reserveAsset[c]!;
      let total = 0n;
      for (let i = first; i < pos; i++)
        if (lending.positionCollateralReserve[i] === c) total += lending.collateral[i]!;
      const available = world.balance[p * nA + a]!;
      if (total > available && total > 0n) {
        for (let i = first; i < pos; i++) {
          if (lending.positionCollateralReserve[i] !== c) continue;
          lending.collateral[i] = (lending.collateral[i]! * available) / total;
          lending.scaledDebt[i] = (lending.scaledDebt[i]! * available) / total;
        }
      }
    }
    for (let i = first; i < pos; i++) {
      lending.posted[lending.positionCollateralReserve[i]!] =
        lending.posted[lending.positionCollateralReserve[i]!]! + lending.collateral[i]!;
      lending.collateralFloat[i] = toFloat(
        lending.collateral[i]!,
        world.assets[lending.positionCollateralAsset[i]!]!.scale,
      );
      lending.scaledDebtFloat[i] = toFloat(
        lending.scaledDebt[i]!,
        world.assets[lending.positionDebtAsset[i]!]!.scale,
      );
    }
  });
  return lending;
}
