/**
 * Perp exchanges from the scenario: markets with their margins, and traders on both sides whose
 * sizes add up to the open interest, with leverage spread between 1/(3 IM) and 1/IM. Margins take
 * at most `perpMarginShare` of the traders' collateral; the rest is idle collateral they may
 * withdraw.
 */
import type { createRng } from "../paths/prng.ts";
import { toFloat, unitsForUsd8, valueUsd8, type World } from "./world.ts";

export type PerpMarket = {
  protocol: number;
  asset: number;
  maintenanceMarginBps: number;
  initialMarginBps: number;
  feeBps: number;
  /** Cumulative funding a long has paid per unit of underlying, USD. */
  fundingIndex: number;
};

export type Perp = {
  protocols: Int32Array;
  collateralAsset: Int32Array;
  insurance: bigint[];
  idle: bigint[];
  badDebt: bigint[];
  adl: bigint[];
  markets: PerpMarket[];
  positionMarket: Int32Array;
  positionSide: Int8Array;
  positionActive: Uint8Array;
  sizeFloat: Float64Array;
  marginFloat: Float64Array;
  entryFloat: Float64Array;
  fundingEntry: Float64Array;
  size: bigint[];
  margin: bigint[];
  entryUsd8: bigint[];
};

type Rng = ReturnType<typeof createRng>;

export function buildPerp(world: World, assetOf: (s: string, where: string) => number, rng: Rng): Perp {
  const protos = world.scenario.protocols.flatMap((x, p) => (x.kind === "perp" ? [{ x, p }] : []));
  const n = world.options.tradersPerSide;
  const markets: PerpMarket[] = [];
  const rows: { market: number; side: 1 | -1; size: bigint; margin: bigint }[] = [];
  const insurance: bigint[] = [];
  const idle: bigint[] = [];
  protos.forEach(({ x, p }, slot) => {
    world.perpSlotOf[p] = slot;
    const collateral = assetOf(x.collateralAsset, `${x.id}.collateralAsset`);
    const at = p * world.assetCount + collateral;
    world.balance[at] = world.balance[at]! + x.traderCollateral + x.insuranceFund;
    insurance.push(x.insuranceFund);
    const first = rows.length;
    for (const m of x.markets) {
      const asset = assetOf(m.underlying, `${x.id}.markets`);
      const market = markets.length;
      markets.push({
        protocol: p,
        asset,
        maintenanceMarginBps: Math.round(m.maintenanceMargin * 10_000),
        initialMarginBps: Math.round(m.initialMargin * 10_000),
        feeBps: Math.round(m.liquidationFee * 10_000),
        fundingIndex: 0,
      });
      for (const side of [1, -1] as const) {
        const weights = Array.from({ length: n }, () => BigInt(Math.round((0.2 + rng.nextFloat()) * 1e6)));
        const weightSum = weights.reduce((s, v) => s + v, 0n);
        for (let k = 0; k < n; k++) {
          const size = (m.openInterest * weights[k]!) / weightSum;
          // Margin between the initial margin and three times it (leverage 1/(3 IM) .. 1/IM).
          const marginShare = m.initialMargin * (1 + 2 * rng.nextFloat());
          const notionalInCollateral = unitsForUsd8(world, collateral, valueUsd8(world, asset, size));
          const margin = (notionalInCollateral * BigInt(Math.round(marginShare * 1e6))) / 1_000_000n;
          rows.push({ market, side, size, margin });
        }
      }
    }
    // Margins are at most `perpMarginShare` of trader collateral: shrink open interest if needed.
    let total = 0n;
    for (let i = first; i < rows.length; i++) total += rows[i]!.margin;
    const cap = (x.traderCollateral * BigInt(Math.round(world.options.perpMarginShare * 1e6))) / 1_000_000n;
    if (total > cap) {
      for (let i = first; i < rows.length; i++) {
        rows[i]!.margin = (rows[i]!.margin * cap) / total;
        rows[i]!.size = (rows[i]!.size * cap) / total;
      }
      total = 0n;
      for (let i = first; i < rows.length; i++) total += rows[i]!.margin;
    }
    idle.push(x.traderCollateral - total);
  });
  const positionCount = rows.length;
  const perp: Perp = {
    protocols: Int32Array.from(protos.map((x) => x.p)),
    collateralAsset: Int32Array.from(protos.map(({ x }) => assetOf(x.collateralAsset, "collateralAsset"))),
    insurance,
    idle,
    badDebt: new Array<bigint>(protos.length).fill(0n),
    adl: new Array<bigint>(protos.length).fill(0n),
    markets,
    positionMarket: Int32Array.from(rows.map((r) => r.market)),
    positionSide: Int8Array.from(rows.map((r) => r.side)),
    positionActive: new Uint8Array(positionCount).fill(1),
    sizeFloat: new Float64Array(positionCount),
    marginFloat: new Float64Array(positionCount),
    entryFloat: new Float64Array(positionCount),
    fundingEntry: new Float64Array(positionCount),
    size: rows.map((r) => r.size),
    margin: rows.map((r) => r.margin),
    entryUsd8: rows.map((r) => world.price[markets[r.market]!.asset]!),
  };
  for (let i = 0; i < positionCount; i++) {
    const m = markets[perp.positionMarket[i]!]!;
    const slot = world.perpSlotOf[m.protocol]!;
    perp.sizeFloat[i] = toFloat(perp.size[i]!, world.assets[m.asset]!.scale);
    perp.marginFloat[i] = toFloat(perp.margin[i]!, world.assets[perp.collateralAsset[slot]!]!.scale);
    perp.entryFloat[i] = Number(perp.entryUsd8[i]!) / 1e8;
  }
  return perp;
}
