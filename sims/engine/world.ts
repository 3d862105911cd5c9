/**
 * The engine's state: one scenario instantiated for one seed. Hot per-position data lives in
 * typed arrays (indices, flags and float mirrors the per-step screen reads); exact money lives
 * in bigint base units, touched only when a position or a balance actually changes.
 *
 * Layout: assets are indexed 0..nA-1, protocols 0..nP-1; per-protocol-per-asset balances are
 * flat arrays indexed p * nA + a. Lending reserves, lending positions and perp positions each
 * have their own index space (see the `Lending`, `Perp` types).
 */
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { createSigner } from "../../core/signer.ts";
import { createGaussian } from "../paths/gaussian.ts";
// The one place floats become money in the engine (sims/paths priceToUsd8).
import { pathToUsd8, priceToUsd8 as toUsd8 } from "../paths/price-to-usd8.ts";
import { createRng, deriveSeed } from "../paths/prng.ts";
import { scenarioPricePaths } from "../scenarios/scenario-price-paths.ts";
import type { Scenario, ScenarioProtocol } from "../scenarios/scenario-schema.ts";
import { defaultEngineOptions, type EngineOptions } from "./engine-options.ts";
import { EngineSetupError } from "./errors.ts";

export const RAY = 10n ** 27n;
export const BPS = 10_000n;
export const USD8 = 10n ** 8n;

export type Asset = { symbol: string; decimals: number; scale: bigint; address: Address };
export type ProtocolInfo = {
  id: string;
  label: string;
  kind: ScenarioProtocol["kind"];
  /** The protocol's treasury address in settlement (ledger or chain). */
  address: Address;
};

/** A two-asset venue: a constant-product pair (or a stableswap pair, amplified). */
export type Venue = {
  /** Owning AMM protocol, or -1 for the fallback venue of an asset without a pool. */
  protocol: number;
  x: number;
  /** Quote asset, or -1 for a USD numeraire (fallback venues). */
  y: number;
  k: bigint;
  feeBps: number;
  amplification: number;
  /** Reserves at the current market prices (re-centred each step by arbitrage). */
  rx: bigint;
  ry: bigint;
};

export type Lending = {
  /** Protocol index of each lending slot. */
  protocols: Int32Array;
  closeFactorBps: Int32Array;
  auction: Uint8Array;
  zeroBidShare: Float64Array;
  oracleDelaySteps: Int32Array;
  /** De-risking multiplies liquidation thresholds by this (1 = as configured). */
  ltScale: Float64Array;
  treasuryUsd8: bigint[];
  creditPaused: Uint8Array;
  bufferBps: Int32Array;
  // Reserves
  resSlot: Int32Array;
  resAsset: Int32Array;
  minted: Uint8Array;
  ltBps: Int32Array;
  bonusBps: Int32Array;
  /** Deposits (or, minted, the amount issued): what the protocol owes. */
  supplied: bigint[];
  /** Outstanding loans: positions plus borrowers we do not model one by one. */
  borrowed: bigint[];
  /** Collateral posted by modelled positions (part of `supplied`, not lendable). */
  posted: bigint[];
  badDebt: bigint[];
  index: bigint[];
  indexF: Float64Array;
  // Positions
  posSlot: Int32Array;
  posDebtRes: Int32Array;
  posCollRes: Int32Array;
  posDebtAsset: Int32Array;
  posCollAsset: Int32Array;
  posLt: Float64Array;
  posActive: Uint8Array;
  /** Float mirrors for the screen: collateral and scaled debt in whole tokens. */
  collF: Float64Array;
  scaledF: Float64Array;
  coll: bigint[];
  scaled: bigint[];
};

export type PerpMarket = {
  protocol: number;
  asset: number;
  mmBps: number;
  imBps: number;
  feeBps: number;
  /** Cumulative funding a long has paid per unit of underlying, USD. */
  fundingIndex: number;
};

export type Perp = {
  protocols: Int32Array;
  collAsset: Int32Array;
  insurance: bigint[];
  idle: bigint[];
  badDebt: bigint[];
  adl: bigint[];
  markets: PerpMarket[];
  posMarket: Int32Array;
  posSide: Int8Array;
  posActive: Uint8Array;
  sizeF: Float64Array;
  marginF: Float64Array;
  entryF: Float64Array;
  fundingEntry: Float64Array;
  size: bigint[];
  margin: bigint[];
  entryUsd8: bigint[];
};

export type VaultBacking = { asset: number; amount: bigint; liquidity: "liquid" | "illiquid" | "locked" };
export type Vault = {
  protocol: number;
  liabAsset: number;
  liabilities: bigint;
  /** Illiquid and locked backing; liquid backing sits in the protocol's balances. */
  held: VaultBacking[];
  algorithmic: boolean;
  mintAsset: number;
  mode: "instant" | "queued" | "paused";
  delaySteps: number;
  feeBps: number;
  capPerStep: bigint | undefined;
  /** Par asset (first backing asset), or -1 for a fixed USD par. */
  parAsset: number;
  parUsd8: bigint;
  queue: { due: number; amount: bigint }[];
  gated: boolean;
  minted: bigint;
};

export type Pool = { protocol: number; venues: number[] };

export type CrossHolding = {
  holder: number;
  issuer: number;
  asset: number;
  amount: bigint;
  form: Scenario["crossHoldings"][number]["form"];
};

export type Run = {
  protocol: number;
  asset: number;
  trigger: { kind: "time"; step: number } | { kind: "drawdown"; asset: number; threshold: number };
  sharePerStep: number;
  cap: bigint;
  base: bigint;
  withdrawn: bigint;
  started: number;
  haltStep: number;
};

export type InterProtocolLoan = {
  id: `0x${string}`;
  lender: number;
  borrower: number;
  asset: number;
  principal: bigint;
  due: bigint;
  collAsset: number;
  collateral: bigint;
  rateBps: number;
  openedStep: number;
  /** Unix seconds at which the loan falls due. */
  maturitySec: bigint;
  status: "active" | "repaid" | "defaulted";
};

export type World = {
  scenario: Scenario;
  seed: number;
  options: EngineOptions;
  steps: number;
  stepHours: number;
  startTime: bigint;
  assets: Asset[];
  assetIndex: Map<string, number>;
  protocols: ProtocolInfo[];
  protocolIndex: Map<string, number>;
  nA: number;
  nP: number;
  /** Exogenous USD price paths (floats: model input). */
  pathF: Float64Array[];
  /** Multiplicative dislocation caused by sales into venues, recovering by arbitrage. */
  impact: Float64Array;
  /** Market prices now, USD 8 decimals, and their float mirror for the screen. */
  price: bigint[];
  priceF: Float64Array;
  /** Market prices of every step so far, [step * nA + asset]. */
  history: BigUint64Array;
  step: number;
  /** Liquid balances owned by each protocol, [p * nA + a]. */
  bal: bigint[];
  /** Payouts a protocol owes now and has not paid (withdrawals, redemptions), [p * nA + a]. */
  owed: bigint[];
  venues: Venue[];
  /** Venue where each asset is sold, by asset. */
  venueOf: Int32Array;
  pools: Pool[];
  lending: Lending;
  lendingSlotOf: Int32Array;
  perp: Perp;
  perpSlotOf: Int32Array;
  vaults: Vault[];
  vaultOf: Int32Array;
  cross: CrossHolding[];
  runs: Run[];
  loans: InterProtocolLoan[];
  /** Collateral held in settlement escrow, by asset. */
  escrow: bigint[];
};

export type BuildWorldParameters = {
  scenario: Scenario;
  /** Overrides the scenario's seed. */
  seed?: number | undefined;
  options?: Partial<EngineOptions> | undefined;
  /** Token address of each scenario asset, in scenario order: where the settlement backend keeps
   *  them (the chain's deployed tokens). Default: fixed placeholder addresses (the ledger). */
  assetAddresses?: readonly Address[] | undefined;
};

const assetAddress = (i: number): Address =>
  getAddress(`0x${(0xa55e7000 + i).toString(16).padStart(40, "0")}`);
/** The private key of protocol `i`'s agent in simulations (deterministic; test keys only). */
export const protocolKey = (i: number): Hex => keccak256(toHex(`contagion-engine-agent:${i}`));
/** Protocol `i`'s treasury address: the agent key's address, so signatures and settlement agree. */
export const protocolAddress = (i: number): Address => createSigner(protocolKey(i)).address;

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Whole-token float of a base-unit amount (for mirrors only). */
export const toFloat = (x: bigint, scale: bigint): number => Number(x) / Number(scale);

export function valueUsd8(w: World, a: number, amount: bigint, price = w.price[a]!): bigint {
  return (amount * price) / w.assets[a]!.scale;
}

/** Units of asset `a` worth `usd8` at `price` (rounded down). */
export function unitsForUsd8(w: World, a: number, usd8: bigint, price = w.price[a]!): bigint {
  return price === 0n ? 0n : (usd8 * w.assets[a]!.scale) / price;
}

export function buildWorld(p: BuildWorldParameters): World {
  const scenario = p.scenario;
  const seed = p.seed ?? scenario.seed;
  const options: EngineOptions = { ...defaultEngineOptions, ...p.options };
  const paths = scenarioPricePaths({ scenario, seed });
  const steps = paths.steps;
  const stepHours = scenario.time.stepHours;
  if (p.assetAddresses && p.assetAddresses.length !== scenario.assets.length)
    throw new EngineSetupError({
      field: "assetAddresses",
      problem: `${p.assetAddresses.length} token addresses for ${scenario.assets.length} assets`,
    });
  const assets: Asset[] = scenario.assets.map((a, i) => ({
    symbol: a.symbol,
    decimals: a.decimals,
    scale: 10n ** BigInt(a.decimals),
    address: p.assetAddresses?.[i] ?? assetAddress(i),
  }));
  const assetIndex = new Map(assets.map((a, i) => [a.symbol, i]));
  const nA = assets.length;
  const pathF = assets.map((a) => paths.prices.get(a.symbol)!);
  // Validates every path value once at the money boundary (finite, >= 0, fits uint64).
  for (const path of pathF) pathToUsd8(path);
  const protocols: ProtocolInfo[] = scenario.protocols.map((x, i) => ({
    id: x.id,
    label: x.label,
    kind: x.kind,
    address: protocolAddress(i),
  }));
  const protocolIndex = new Map(protocols.map((x, i) => [x.id, i]));
  const nP = protocols.length;
  const startTime =
    options.startTime ??
    (scenario.episode ? BigInt(Date.parse(`${scenario.episode.start}T00:00:00Z`) / 1000) : 1_700_000_000n);

  const w: World = {
    scenario,
    seed,
    options,
    steps,
    stepHours,
    startTime,
    assets,
    assetIndex,
    protocols,
    protocolIndex,
    nA,
    nP,
    pathF,
    impact: new Float64Array(nA).fill(1),
    price: new Array<bigint>(nA).fill(0n),
    priceF: new Float64Array(nA),
    history: new BigUint64Array((steps + 1) * nA),
    step: 0,
    bal: new Array<bigint>(nP * nA).fill(0n),
    owed: new Array<bigint>(nP * nA).fill(0n),
    venues: [],
    venueOf: new Int32Array(nA).fill(-1),
    pools: [],
    lending: undefined as unknown as Lending,
    lendingSlotOf: new Int32Array(nP).fill(-1),
    perp: undefined as unknown as Perp,
    perpSlotOf: new Int32Array(nP).fill(-1),
    vaults: [],
    vaultOf: new Int32Array(nP).fill(-1),
    cross: [],
    runs: [],
    loans: [],
    escrow: new Array<bigint>(nA).fill(0n),
  };
  setPricesAt(w, 0);

  const rng = createRng(deriveSeed(seed, 7_000));
  const gauss = createGaussian(rng);
  const idx = (sym: string, where: string) => {
    const i = assetIndex.get(sym);
    if (i === undefined) throw new EngineSetupError({ field: where, problem: `unknown asset "${sym}"` });
    return i;
  };

  buildVenues(w, idx);
  w.lending = buildLending(w, idx, rng, gauss);
  w.perp = buildPerp(w, idx, rng);
  buildVaults(w, idx);

  for (const c of scenario.crossHoldings) {
    w.cross.push({
      holder: protocolIndex.get(c.holder)!,
      issuer: protocolIndex.get(c.issuer)!,
      asset: idx(c.asset, "crossHoldings.asset"),
      amount: c.amount,
      form: c.form,
    });
    // A deposit sits at the issuer (which counts it among its deposits), not in the holder's cash.
    const holder = protocolIndex.get(c.holder)!;
    const a = assetIndex.get(c.asset)!;
    if (c.form === "deposit") {
      const i = holder * nA + a;
      const moved = minBig(w.bal[i]!, c.amount);
      w.bal[i] = w.bal[i]! - moved;
      const s = w.perpSlotOf[holder]!;
      if (s >= 0) w.perp.idle[s] = w.perp.idle[s]! - moved;
    }
  }
  scenario.withdrawalRuns.forEach((r, i) => {
    const protocol = protocolIndex.get(r.protocol)!;
    const asset = idx(r.asset, `withdrawalRuns[${i}].asset`);
    const base = runBase(w, protocol, asset);
    w.runs.push({
      protocol,
      asset,
      trigger:
        r.trigger.kind === "time"
          ? { kind: "time", step: Math.ceil(r.trigger.atHours / stepHours - 1e-9) }
          : {
              kind: "drawdown",
              asset: idx(r.trigger.asset, "trigger.asset"),
              threshold: r.trigger.threshold,
            },
      sharePerStep: 1 - (1 - r.sharePerHour) ** stepHours,
      cap: (base * BigInt(Math.round(r.maxShare * 1e6))) / 1_000_000n,
      base,
      withdrawn: 0n,
      started: -1,
      haltStep: r.haltAtHours === undefined ? Number.MAX_SAFE_INTEGER : Math.ceil(r.haltAtHours / stepHours),
    });
  });
  return w;
}

/** What a run draws on: deposits of a lending reserve, trader collateral, vault liabilities. */
function runBase(w: World, protocol: number, asset: number): bigint {
  const kind = w.protocols[protocol]!.kind;
  if (kind === "lending") {
    const r = reserveOf(w, protocol, asset);
    return r < 0 ? 0n : w.lending.supplied[r]!;
  }
  if (kind === "perp") {
    const s = w.perpSlotOf[protocol]!;
    return w.perp.idle[s]! + sumMargins(w, s);
  }
  if (kind === "vault") return w.vaults[w.vaultOf[protocol]!]!.liabilities;
  return 0n;
}

function sumMargins(w: World, slot: number): bigint {
  let s = 0n;
  const protocol = w.perp.protocols[slot]!;
  for (let i = 0; i < w.perp.posMarket.length; i++) {
    if (w.perp.markets[w.perp.posMarket[i]!]!.protocol === protocol) s += w.perp.margin[i]!;
  }
  return s;
}

export function reserveOf(w: World, protocol: number, asset: number): number {
  const slot = w.lendingSlotOf[protocol]!;
  if (slot < 0) return -1;
  const L = w.lending;
  for (let r = 0; r < L.resSlot.length; r++) if (L.resSlot[r] === slot && L.resAsset[r] === asset) return r;
  return -1;
}

/** Market prices at `step`: the exogenous path times the current dislocation, through priceToUsd8. */
export function setPricesAt(w: World, step: number): void {
  for (let a = 0; a < w.nA; a++) setPrice(w, a, step);
}

export function setPrice(w: World, a: number, step = w.step): void {
  const usd8 = toUsd8(w.pathF[a]![step]! * w.impact[a]!);
  w.price[a] = usd8;
  w.priceF[a] = Number(usd8) / 1e8;
  w.history[step * w.nA + a] = usd8;
}

function buildVenues(w: World, idx: (s: string, where: string) => number): void {
  w.scenario.protocols.forEach((proto, p) => {
    if (proto.kind !== "amm") return;
    for (const pool of proto.pools) {
      const n = pool.reserves.length;
      const venues: number[] = [];
      // A pool of n > 2 assets becomes n pairs around a ring, each with half of each reserve.
      const pairs = n === 2 ? [[0, 1]] : Array.from({ length: n }, (_, i) => [i, (i + 1) % n]);
      const share = n === 2 ? 1n : 2n;
      for (const [i, j] of pairs) {
        const rx = pool.reserves[i!]!;
        const ry = pool.reserves[j!]!;
        const x = rx.amount / share;
        const y = ry.amount / share;
        venues.push(w.venues.length);
        w.venues.push({
          protocol: p,
          x: idx(rx.asset, `${proto.id}.pools.${pool.id}`),
          y: idx(ry.asset, `${proto.id}.pools.${pool.id}`),
          k: x * y,
          feeBps: Math.round(pool.fee * 10_000),
          amplification: pool.curve === "stableswap" ? (pool.amplification ?? 100) : 1,
          rx: x,
          ry: y,
        });
      }
      w.pools.push({ protocol: p, venues });
    }
  });
  // Each asset sells where it is deepest; otherwise into a fallback pool against USD.
  const depth = (v: Venue, a: number) => valueUsd8(w, a, v.x === a ? v.rx : v.ry) * BigInt(v.amplification);
  for (let a = 0; a < w.nA; a++) {
    let best = -1;
    let bestDepth = -1n;
    w.venues.forEach((v, i) => {
      if (v.x !== a && v.y !== a) return;
      const d = depth(v, a);
      if (d > bestDepth) {
        best = i;
        bestDepth = d;
      }
    });
    if (best < 0) {
      const depthUsd8 = BigInt(Math.round(w.options.fallbackDepthUsd)) * USD8;
      const x = unitsForUsd8(w, a, depthUsd8);
      const y = depthUsd8;
      best = w.venues.length;
      w.venues.push({ protocol: -1, x: a, y: -1, k: x * y, feeBps: 30, amplification: 1, rx: x, ry: y });
    }
    w.venueOf[a] = best;
  }
}

type Rng = ReturnType<typeof createRng>;

function buildLending(
  w: World,
  idx: (s: string, where: string) => number,
  rng: Rng,
  gauss: () => number,
): Lending {
  const protos = w.scenario.protocols.flatMap((x, p) => (x.kind === "lending" ? [{ x, p }] : []));
  const nL = protos.length;
  const reserves = protos.flatMap(({ x }, slot) => x.reserves.map((r) => ({ r, slot, proto: x })));
  const nR = reserves.length;
  const perProtocol = w.options.positionsPerLending;
  const nPos = perProtocol * nL;
  const L: Lending = {
    protocols: Int32Array.from(protos.map((x) => x.p)),
    closeFactorBps: Int32Array.from(protos.map(({ x }) => Math.round(x.closeFactor * 10_000))),
    auction: Uint8Array.from(protos.map(({ x }) => (x.liquidation.mechanism === "auction" ? 1 : 0))),
    zeroBidShare: Float64Array.from(
      protos.map(({ x }) => (x.liquidation.mechanism === "auction" ? x.liquidation.zeroBidShare : 0)),
    ),
    oracleDelaySteps: Int32Array.from(protos.map(({ x }) => Math.round(x.oracleDelayHours / w.stepHours))),
    ltScale: new Float64Array(nL).fill(1),
    treasuryUsd8: new Array<bigint>(nL).fill(0n),
    creditPaused: new Uint8Array(nL),
    bufferBps: new Int32Array(nL).fill(Math.round(w.options.lendingBufferShare * 10_000)),
    resSlot: Int32Array.from(reserves.map((r) => r.slot)),
    resAsset: Int32Array.from(reserves.map(({ r, proto }) => idx(r.asset, `${proto.id}.reserves`))),
    minted: Uint8Array.from(reserves.map(({ r }) => (r.minted ? 1 : 0))),
    ltBps: Int32Array.from(
      reserves.map(({ r }) => Math.round((r.collateral?.liquidationThreshold ?? 0) * 10_000)),
    ),
    bonusBps: Int32Array.from(
      reserves.map(({ r }) => Math.round((r.collateral?.liquidationBonus ?? 0) * 10_000)),
    ),
    supplied: reserves.map(({ r }) => (r.minted ? r.borrowed : r.supplied)),
    borrowed: reserves.map(({ r }) => r.borrowed),
    posted: new Array<bigint>(nR).fill(0n),
    badDebt: new Array<bigint>(nR).fill(0n),
    index: new Array<bigint>(nR).fill(RAY),
    indexF: new Float64Array(nR).fill(1),
    posSlot: new Int32Array(nPos),
    posDebtRes: new Int32Array(nPos),
    posCollRes: new Int32Array(nPos),
    posDebtAsset: new Int32Array(nPos),
    posCollAsset: new Int32Array(nPos),
    posLt: new Float64Array(nPos),
    posActive: new Uint8Array(nPos),
    collF: new Float64Array(nPos),
    scaledF: new Float64Array(nPos),
    coll: new Array<bigint>(nPos).fill(0n),
    scaled: new Array<bigint>(nPos).fill(0n),
  };
  protos.forEach(({ p }, slot) => {
    w.lendingSlotOf[p] = slot;
  });
  // Cash: deposits not lent out (nothing for minted reserves).
  reserves.forEach(({ r, slot }, i) => {
    if (r.minted) return;
    const p = protos[slot]!.p;
    const a = L.resAsset[i]!;
    w.bal[p * w.nA + a] = w.bal[p * w.nA + a]! + (r.supplied > r.borrowed ? r.supplied - r.borrowed : 0n);
  });

  let pos = 0;
  protos.forEach(({ x, p }, slot) => {
    const mine = reserves.flatMap((_, i) => (L.resSlot[i] === slot ? [i] : []));
    const debtRes = mine.filter((i) => L.borrowed[i]! > 0n);
    const collRes = mine.filter((i) => L.ltBps[i]! > 0 && !L.minted[i]);
    let depositsUsd8 = 0n;
    for (const i of mine) depositsUsd8 += valueUsd8(w, L.resAsset[i]!, L.supplied[i]!);
    L.treasuryUsd8[slot] =
      (depositsUsd8 * BigInt(Math.round(w.options.lendingTreasuryShare * 1e6))) / 1_000_000n;
    if (debtRes.length === 0 || collRes.length === 0) return;

    // Positions per debt reserve in proportion to its value.
    const debtValue = debtRes.map((i) => Number(valueUsd8(w, L.resAsset[i]!, L.borrowed[i]!)));
    const totalDebtValue = debtValue.reduce((s, v) => s + v, 0);
    const counts = debtValue.map((v) => Math.max(1, Math.floor((perProtocol * v) / totalDebtValue)));
    while (counts.reduce((s, c) => s + c, 0) > perProtocol) counts[counts.indexOf(Math.max(...counts))]!--;

    const first = pos;
    debtRes.forEach((r, j) => {
      const n = counts[j]!;
      const weights = Array.from({ length: n }, () => BigInt(Math.round(Math.exp(gauss()) * 1e6)) + 1n);
      const wsum = weights.reduce((s, v) => s + v, 0n);
      const debtAsset = L.resAsset[r]!;
      const choices = collRes.filter((c) => L.resAsset[c] !== debtAsset);
      if (choices.length === 0) return;
      const avail = choices.map((c) =>
        Number(valueUsd8(w, L.resAsset[c]!, w.bal[p * w.nA + L.resAsset[c]!]!)),
      );
      const availSum = avail.reduce((s, v) => s + v, 0);
      for (let k = 0; k < n; k++) {
        const debt = (L.borrowed[r]! * weights[k]!) / wsum;
        let u = rng.nextFloat() * availSum;
        let c = choices[choices.length - 1]!;
        for (let q = 0; q < choices.length; q++) {
          u -= avail[q]!;
          if (u < 0) {
            c = choices[q]!;
            break;
          }
        }
        const hf = Math.max(1.02, x.initialHealthFactor.mean + x.initialHealthFactor.std * gauss());
        const collAsset = L.resAsset[c]!;
        const collateral =
          (debt * w.price[debtAsset]! * w.assets[collAsset]!.scale * BigInt(Math.round(hf * 1e6)) * BPS) /
          (w.price[collAsset]! * w.assets[debtAsset]!.scale * 1_000_000n * BigInt(L.ltBps[c]!));
        L.posSlot[pos] = slot;
        L.posDebtRes[pos] = r;
        L.posCollRes[pos] = c;
        L.posDebtAsset[pos] = debtAsset;
        L.posCollAsset[pos] = collAsset;
        L.posLt[pos] = L.ltBps[c]! / 10_000;
        L.posActive[pos] = 1;
        L.coll[pos] = collateral;
        L.scaled[pos] = debt;
        pos++;
      }
    });
    // Posted collateral cannot exceed what the reserve holds: shrink positions (debt and
    // collateral together, so health factors stay) where it would.
    for (const c of collRes) {
      const a = L.resAsset[c]!;
      let total = 0n;
      for (let i = first; i < pos; i++) if (L.posCollRes[i] === c) total += L.coll[i]!;
      const avail = w.bal[p * w.nA + a]!;
      if (total > avail && total > 0n) {
        for (let i = first; i < pos; i++) {
          if (L.posCollRes[i] !== c) continue;
          L.coll[i] = (L.coll[i]! * avail) / total;
          L.scaled[i] = (L.scaled[i]! * avail) / total;
        }
      }
    }
    for (let i = first; i < pos; i++) {
      L.posted[L.posCollRes[i]!] = L.posted[L.posCollRes[i]!]! + L.coll[i]!;
      L.collF[i] = toFloat(L.coll[i]!, w.assets[L.posCollAsset[i]!]!.scale);
      L.scaledF[i] = toFloat(L.scaled[i]!, w.assets[L.posDebtAsset[i]!]!.scale);
    }
  });
  return L;
}

function buildPerp(w: World, idx: (s: string, where: string) => number, rng: Rng): Perp {
  const protos = w.scenario.protocols.flatMap((x, p) => (x.kind === "perp" ? [{ x, p }] : []));
  const n = w.options.tradersPerSide;
  const markets: PerpMarket[] = [];
  const rows: { market: number; side: 1 | -1; size: bigint; margin: bigint }[] = [];
  const insurance: bigint[] = [];
  const idle: bigint[] = [];
  protos.forEach(({ x, p }, slot) => {
    w.perpSlotOf[p] = slot;
    const coll = idx(x.collateralAsset, `${x.id}.collateralAsset`);
    w.bal[p * w.nA + coll] = w.bal[p * w.nA + coll]! + x.traderCollateral + x.insuranceFund;
    insurance.push(x.insuranceFund);
    const first = rows.length;
    for (const m of x.markets) {
      const asset = idx(m.underlying, `${x.id}.markets`);
      const market = markets.length;
      markets.push({
        protocol: p,
        asset,
        mmBps: Math.round(m.maintenanceMargin * 10_000),
        imBps: Math.round(m.initialMargin * 10_000),
        feeBps: Math.round(m.liquidationFee * 10_000),
        fundingIndex: 0,
      });
      for (const side of [1, -1] as const) {
        const weights = Array.from({ length: n }, () => BigInt(Math.round((0.2 + rng.nextFloat()) * 1e6)));
        const wsum = weights.reduce((s, v) => s + v, 0n);
        for (let k = 0; k < n; k++) {
          const size = (m.openInterest * weights[k]!) / wsum;
          // Margin between the initial margin and three times it (leverage 1/(3 IM) .. 1/IM).
          const marginShare = m.initialMargin * (1 + 2 * rng.nextFloat());
          const notionalInColl = unitsForUsd8(w, coll, valueUsd8(w, asset, size));
          const margin = (notionalInColl * BigInt(Math.round(marginShare * 1e6))) / 1_000_000n;
          rows.push({ market, side, size, margin });
        }
      }
    }
    // Margins are at most `perpMarginShare` of trader collateral: shrink open interest if needed.
    let total = 0n;
    for (let i = first; i < rows.length; i++) total += rows[i]!.margin;
    const cap = (x.traderCollateral * BigInt(Math.round(w.options.perpMarginShare * 1e6))) / 1_000_000n;
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
  const nPos = rows.length;
  const P: Perp = {
    protocols: Int32Array.from(protos.map((x) => x.p)),
    collAsset: Int32Array.from(protos.map(({ x }) => idx(x.collateralAsset, "collateralAsset"))),
    insurance,
    idle,
    badDebt: new Array<bigint>(protos.length).fill(0n),
    adl: new Array<bigint>(protos.length).fill(0n),
    markets,
    posMarket: Int32Array.from(rows.map((r) => r.market)),
    posSide: Int8Array.from(rows.map((r) => r.side)),
    posActive: new Uint8Array(nPos).fill(1),
    sizeF: new Float64Array(nPos),
    marginF: new Float64Array(nPos),
    entryF: new Float64Array(nPos),
    fundingEntry: new Float64Array(nPos),
    size: rows.map((r) => r.size),
    margin: rows.map((r) => r.margin),
    entryUsd8: rows.map((r) => w.price[markets[r.market]!.asset]!),
  };
  for (let i = 0; i < nPos; i++) {
    const m = markets[P.posMarket[i]!]!;
    const collSlot = w.perpSlotOf[m.protocol]!;
    P.sizeF[i] = toFloat(P.size[i]!, w.assets[m.asset]!.scale);
    P.marginF[i] = toFloat(P.margin[i]!, w.assets[P.collAsset[collSlot]!]!.scale);
    P.entryF[i] = Number(P.entryUsd8[i]!) / 1e8;
  }
  return P;
}

function buildVaults(w: World, idx: (s: string, where: string) => number): void {
  w.scenario.protocols.forEach((x, p) => {
    if (x.kind !== "vault") return;
    const held: VaultBacking[] = [];
    for (const b of x.backing) {
      const a = idx(b.asset, `${x.id}.backing`);
      if (b.liquidity === "liquid") w.bal[p * w.nA + a] = w.bal[p * w.nA + a]! + b.amount;
      else held.push({ asset: a, amount: b.amount, liquidity: b.liquidity });
    }
    const liabAsset = idx(x.liabilities.asset, `${x.id}.liabilities.asset`);
    const algorithmic = x.mechanism === "algorithmic";
    const parAsset = algorithmic || x.backing.length === 0 ? -1 : idx(x.backing[0]!.asset, `${x.id}.backing`);
    w.vaultOf[p] = w.vaults.length;
    w.vaults.push({
      protocol: p,
      liabAsset,
      liabilities: x.liabilities.amount,
      held,
      algorithmic,
      mintAsset: x.mintAsset ? idx(x.mintAsset, `${x.id}.mintAsset`) : -1,
      mode: x.redemption.mode,
      delaySteps: Math.ceil((x.redemption.delayHours ?? 0) / w.stepHours),
      feeBps: Math.round(x.redemption.fee * 10_000),
      capPerStep:
        x.redemption.capPerDay === undefined
          ? undefined
          : (x.redemption.capPerDay * BigInt(Math.round(w.stepHours * 1e6))) / 24_000_000n,
      parAsset,
      parUsd8: w.price[liabAsset]!,
      queue: [],
      gated: false,
      minted: 0n,
    });
  });
}

/** USD-8 value one liability token of the vault is redeemable for. */
export function vaultParUsd8(w: World, v: Vault): bigint {
  return v.parAsset < 0 ? v.parUsd8 : w.price[v.parAsset]!;
}
