/**
 * The engine's state: one scenario instantiated for one seed. Hot per-position data lives in
 * typed arrays (indices, flags and float mirrors the per-step screen reads); exact money lives
 * in bigint base units, touched only when a position or a balance actually changes.
 *
 * Layout: assets are indexed 0..assetCount-1, protocols 0..protocolCount-1; per-protocol-per-asset
 * balances are flat arrays indexed protocol * assetCount + asset. Lending reserves, lending
 * positions and perp positions each have their own index space (see `Lending`, `Perp`).
 *
 * Building a world is split by idea: markets (pools and outside markets), lending, perps, vaults,
 * links (cross-holdings, runs) and distress, each in its own build-*.ts file.
 */
import { type Address, getAddress, type Hex, keccak256, toHex } from "viem";
import { createSigner, type Signer } from "../../core/signer.ts";
import { createGaussian } from "../paths/gaussian.ts";
// The one place floats become money in the engine (sims/paths priceToUsd8).
import { pathToUsd8, priceToUsd8 } from "../paths/price-to-usd8.ts";
import { createRng, deriveSeed } from "../paths/prng.ts";
import { scenarioPricePaths } from "../scenarios/scenario-price-paths.ts";
import type { Scenario, ScenarioProtocol } from "../scenarios/scenario-schema.ts";
import { buildDistress, type Distress } from "./build-distress.ts";
import { buildLending, type Lending } from "./build-lending.ts";
import { buildCrossHoldings, buildRuns, type CrossHolding, type Run } from "./build-links.ts";
import {
  buildLiquidators,
  buildOutsideMarkets,
  buildVenues,
  type Liquidators,
  type OutsideMarkets,
  type Pool,
  type Venue,
} from "./build-markets.ts";
import { buildPerp, type Perp } from "./build-perp.ts";
import { buildVaults, type Vault } from "./build-vaults.ts";
import { defaultEngineOptions, type EngineOptions } from "./engine-options.ts";
import { EngineSetupError } from "./errors.ts";

export type { CrossHolding, Distress, Lending, Liquidators, OutsideMarkets, Perp, Pool, Run, Vault, Venue };

export const RAY = 10n ** 27n;
export const BPS = 10_000n;
export const USD8 = 10n ** 8n;
/** Parts per billion: the resolution at which model shares scale money (fractionOf). */
const PPB = 1_000_000_000n;

export type Asset = { symbol: string; decimals: number; scale: bigint; address: Address };
export type ProtocolInfo = {
  id: string;
  label: string;
  kind: ScenarioProtocol["kind"];
  /** The protocol's treasury address in settlement (ledger or chain). */
  address: Address;
};

export type InterProtocolLoan = {
  id: `0x${string}`;
  lender: number;
  borrower: number;
  asset: number;
  principal: bigint;
  due: bigint;
  collateralAsset: number;
  collateral: bigint;
  rateBps: number;
  openedStep: number;
  /** Unix seconds at which the loan falls due. */
  maturitySec: bigint;
  /** The agreed duration, seconds. */
  tenor: number;
  /** The principal's value when the loan settled (a lender's loss is a share of it). */
  principalUsd8AtOpen: bigint;
  /** "liquidated": a margined loan's debt was repaid in full by liquidations. */
  status: "active" | "repaid" | "defaulted" | "liquidated";
  /** Margined (a liquidation threshold): liquidations and top-ups change `due` and `collateral`. */
  margined: boolean;
  liquidated: boolean;
  toppedUp: boolean;
  /** Part of `due` the lender has written off because clearing found the borrower insolvent
   *  (a provision: the contract still holds the borrower to the full amount). */
  writtenDown: bigint;
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
  assetCount: number;
  protocolCount: number;
  /** The outside market's USD price paths: the scenario's paths (floats: model input). */
  pathFloat: Float64Array[];
  /** Outside market price / path: the dislocation the engine's own selling caused there. */
  outsideFactor: Float64Array;
  /** Pool price / outside price: how far sales pushed an asset's pool below the outside market
   *  (arbitrage keeps it within its band while arbitrageurs have capacity). */
  venueFactor: Float64Array;
  /** Market prices now, USD 8 decimals, and their float mirror for the screen. */
  price: bigint[];
  priceFloat: Float64Array;
  /** 10^decimals of each asset as a float (for USD floats of base-unit amounts). */
  scaleFloat: Float64Array;
  /** Market prices of every step so far, [step * assetCount + asset]. */
  history: BigUint64Array;
  step: number;
  /** Liquid balances owned by each protocol, [protocol * assetCount + asset]. */
  balance: bigint[];
  /** Payouts a protocol owes now and has not paid (withdrawals, redemptions), [p * assetCount + a]. */
  owed: bigint[];
  /** Withdrawals depositors asked for this step (scripted and endogenous runs), [p * assetCount + a]. */
  asked: bigint[];
  venues: Venue[];
  /** Pool where each asset is sold, by asset, or -1. */
  venueOf: Int32Array;
  pools: Pool[];
  outside: OutsideMarkets;
  liquidators: Liquidators;
  lending: Lending;
  lendingSlotOf: Int32Array;
  /** Reserve of (protocol, asset), [protocol * assetCount + asset], or -1. */
  reserveAt: Int32Array;
  perp: Perp;
  perpSlotOf: Int32Array;
  vaults: Vault[];
  vaultOf: Int32Array;
  cross: CrossHolding[];
  /** Deposits each protocol holds at peers (cross-holdings of form "deposit", by holder), and the
   *  deposits other protocols hold at each [issuer * assetCount + asset] (kept up to date by
   *  withdrawDeposit and write-downs). */
  depositsHeldBy: CrossHolding[][];
  networkDepositsAt: bigint[];
  runs: Run[];
  distress: Distress;
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
const protocolSigners: Signer[] = [];
/** Protocol `i`'s agent signer in simulations, made once per process (every run of a study signs
 *  with the same deterministic test keys; deriving a key's address is not free). */
export const protocolSigner = (i: number): Signer => {
  protocolSigners[i] ??= createSigner(protocolKey(i));
  return protocolSigners[i];
};
/** Protocol `i`'s treasury address: the agent key's address, so signatures and settlement agree. */
export const protocolAddress = (i: number): Address => protocolSigner(i).address;

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Whole-token float of a base-unit amount (for mirrors only). */
export const toFloat = (amount: bigint, scale: bigint): number => Number(amount) / Number(scale);

/** USD float of a USD-8 amount (for models and reports, never for books). */
export const usdFloat = (usd8: bigint): number => Number(usd8) / 1e8;

/**
 * `amount` scaled by a model share in [0, 1] (a float: a run's hourly share, a routing split),
 * rounded down, at a resolution of 1e-9. The boundary where model shares meet money.
 */
export function fractionOf(amount: bigint, share: number): bigint {
  if (!(share > 0)) return 0n;
  if (share >= 1) return amount;
  return (amount * BigInt(Math.floor(share * 1e9))) / PPB;
}

/** USD-8 of a USD float (a model figure such as a depth or a gas cost), through priceToUsd8. */
export const usd8Of = (usd: number): bigint => priceToUsd8(Math.max(0, usd));

export function valueUsd8(world: World, asset: number, amount: bigint, price = world.price[asset]!): bigint {
  return (amount * price) / world.assets[asset]!.scale;
}

/** Units of `asset` worth `usd8` at `price` (rounded down). */
export function unitsForUsd8(world: World, asset: number, usd8: bigint, price = world.price[asset]!): bigint {
  return price === 0n ? 0n : (usd8 * world.assets[asset]!.scale) / price;
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
  const assetCount = assets.length;
  const pathFloat = assets.map((a) => paths.prices.get(a.symbol)!);
  // Validates every path value once at the money boundary (finite, >= 0, fits uint64).
  for (const path of pathFloat) pathToUsd8(path);
  const protocols: ProtocolInfo[] = scenario.protocols.map((x, i) => ({
    id: x.id,
    label: x.label,
    kind: x.kind,
    address: protocolAddress(i),
  }));
  const protocolIndex = new Map(protocols.map((x, i) => [x.id, i]));
  const protocolCount = protocols.length;
  const startTime =
    options.startTime ??
    (scenario.episode ? BigInt(Date.parse(`${scenario.episode.start}T00:00:00Z`) / 1000) : 1_700_000_000n);

  const world: World = {
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
    assetCount,
    protocolCount,
    pathFloat,
    outsideFactor: new Float64Array(assetCount).fill(1),
    venueFactor: new Float64Array(assetCount).fill(1),
    price: new Array<bigint>(assetCount).fill(0n),
    priceFloat: new Float64Array(assetCount),
    scaleFloat: Float64Array.from(assets, (a) => Number(a.scale)),
    history: new BigUint64Array((steps + 1) * assetCount),
    step: 0,
    balance: new Array<bigint>(protocolCount * assetCount).fill(0n),
    owed: new Array<bigint>(protocolCount * assetCount).fill(0n),
    asked: new Array<bigint>(protocolCount * assetCount).fill(0n),
    venues: [],
    venueOf: new Int32Array(assetCount).fill(-1),
    pools: [],
    outside: undefined as unknown as OutsideMarkets,
    liquidators: undefined as unknown as Liquidators,
    lending: undefined as unknown as Lending,
    lendingSlotOf: new Int32Array(protocolCount).fill(-1),
    reserveAt: new Int32Array(protocolCount * assetCount).fill(-1),
    perp: undefined as unknown as Perp,
    perpSlotOf: new Int32Array(protocolCount).fill(-1),
    vaults: [],
    vaultOf: new Int32Array(protocolCount).fill(-1),
    cross: [],
    depositsHeldBy: Array.from({ length: protocolCount }, () => []),
    networkDepositsAt: new Array<bigint>(protocolCount * assetCount).fill(0n),
    runs: [],
    distress: undefined as unknown as Distress,
    loans: [],
    escrow: new Array<bigint>(assetCount).fill(0n),
  };
  setPricesAt(world, 0);

  const rng = createRng(deriveSeed(seed, 7_000));
  const gauss = createGaussian(rng);
  const assetOf = (sym: string, where: string) => {
    const i = assetIndex.get(sym);
    if (i === undefined) throw new EngineSetupError({ field: where, problem: `unknown asset "${sym}"` });
    return i;
  };

  buildVenues(world, assetOf);
  world.outside = buildOutsideMarkets(world);
  world.liquidators = buildLiquidators(world);
  world.lending = buildLending(world, assetOf, rng, gauss);
  world.perp = buildPerp(world, assetOf, rng);
  buildVaults(world, assetOf);
  buildCrossHoldings(world, assetOf);
  buildRuns(world, assetOf);
  world.distress = buildDistress(world);
  return world;
}

export function reserveOf(world: World, protocol: number, asset: number): number {
  return world.reserveAt[protocol * world.assetCount + asset]!;
}

/** Market prices at `step`: the outside path times the engine's dislocations, through priceToUsd8. */
export function setPricesAt(world: World, step: number): void {
  for (let a = 0; a < world.assetCount; a++) setPrice(world, a, step);
}

export function setPrice(world: World, asset: number, step = world.step): void {
  const usd8 = priceToUsd8(
    world.pathFloat[asset]![step]! * world.outsideFactor[asset]! * world.venueFactor[asset]!,
  );
  world.price[asset] = usd8;
  world.priceFloat[asset] = Number(usd8) / 1e8;
  world.history[step * world.assetCount + asset] = usd8;
}

/** The outside market's price of `asset` now (its path times its own dislocation), USD float. */
export const outsidePriceFloat = (world: World, asset: number): number =>
  world.pathFloat[asset]![world.step]! * world.outsideFactor[asset]!;

/** USD-8 value one liability token of the vault is redeemable for. */
export function vaultParUsd8(world: World, v: Vault): bigint {
  return v.parAsset < 0 ? v.parUsd8 : world.price[v.parAsset]!;
}
