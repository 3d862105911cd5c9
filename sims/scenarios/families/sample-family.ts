/**
 * From (family, seed) to one engine scenario, deterministically: the same family and seed give the
 * same scenario, field for field. A parametric family draws its numbers from its spec's ranges and
 * writes a scenario file (ScenarioJson), which the scenario schema then validates like any file;
 * a historic family is a named library scenario whose seeded price paths are block-bootstrapped
 * from its real crisis window.
 *
 * Every generated world has four assets (ETH, BTC, a volatile ALT, USDC), protocols of all four
 * kinds (one of each, then drawn by the family's kind weights), claims between lending markets and
 * vaults along the family's topology, and a fall of ETH (BTC and ALT by their correlation) of the
 * drawn size spread over the drawn number of hours, on top of correlated GBM paths.
 */
import { createRng, deriveSeed, type Rng } from "../../paths/prng.ts";
import { loadScenario, parseScenario } from "../load-scenario.ts";
import type { Scenario, ScenarioJson } from "../scenario-schema.ts";
import { withPricePaths } from "../with-price-paths.ts";
import type { FamilySpec } from "./family-spec.ts";
import { buildTopology } from "./topology.ts";

type ProtocolJson = ScenarioJson["protocols"][number];
type CrossHoldingJson = NonNullable<ScenarioJson["crossHoldings"]>[number];
type Kind = ProtocolJson["kind"];

const KINDS: readonly Kind[] = ["lending", "amm", "perp", "vault"];
const PRICE = { ETH: 2000, BTC: 30000, ALT: 5, USDC: 1 } as const;
/** Protocol sizes: log-uniform between $20M and $2B (the range of 2021-2024 DeFi protocols'
 *  TVL outside the largest few, per DefiLlama's listings; a stated assumption). */
const SIZE_USD: [number, number] = [20e6, 2e9];

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * rng.nextFloat();
const tokens = (usd: number, asset: keyof typeof PRICE) =>
  String(Math.max(0, Math.round(usd / PRICE[asset])));

export type SampledFamily = { scenario: Scenario; json: ScenarioJson | undefined };

/** One scenario of a parametric family. */
export function sampleFamilyJson(spec: FamilySpec, seed: number): ScenarioJson {
  const rng = createRng(deriveSeed(seed, 11_000));
  const n = spec.protocols.min + (rng.nextUint32() % (spec.protocols.max - spec.protocols.min + 1));
  const kinds = drawKinds(spec, n, rng);
  const sizes = kinds.map(() => Math.exp(uniform(rng, [Math.log(SIZE_USD[0]), Math.log(SIZE_USD[1])])));
  const assumption = `Family ${spec.name}, seed ${seed}: ${spec.assumption}`;
  const h = spec.horizonHours;

  const utilisation = uniform(rng, spec.utilisation);
  const hfMean = uniform(rng, spec.healthFactorMean);
  const hfStd = uniform(rng, spec.healthFactorStd);
  const perpMargin = uniform(rng, spec.perpInitialMargin);
  const vaultLiquid = uniform(rng, spec.vaultLiquidShare);
  const vaultEth = uniform(rng, spec.vaultEthShare);
  const exposure = spec.exposureShare;
  const ids = kinds.map((k, i) => `${k}-${i}`);

  const protocols: ProtocolJson[] = kinds.map((kind, i) => {
    const size = sizes[i]!;
    const id = ids[i]!;
    const label = `${kind} ${i}`;
    if (kind === "lending") {
      const usdcSupplied = size * 0.5;
      const borrowed = usdcSupplied * utilisation;
      // Collateral comfortably above what the borrowers' health factors need.
      const collateralUsd = Math.max(size * 0.5, borrowed * (hfMean + 3 * hfStd + 0.5) * 1.3);
      return {
        id,
        kind,
        label,
        reserves: [
          {
            asset: "ETH",
            supplied: tokens(collateralUsd * 0.6, "ETH"),
            borrowed: tokens(collateralUsd * 0.6 * 0.05, "ETH"),
            collateral: { ltv: 0.8, liquidationThreshold: 0.85, liquidationBonus: 0.05 },
          },
          {
            asset: "BTC",
            supplied: tokens(collateralUsd * 0.3, "BTC"),
            borrowed: "0",
            collateral: { ltv: 0.7, liquidationThreshold: 0.75, liquidationBonus: 0.08 },
          },
          {
            asset: "ALT",
            supplied: tokens(collateralUsd * 0.1, "ALT"),
            borrowed: "0",
            collateral: { ltv: 0.5, liquidationThreshold: 0.6, liquidationBonus: 0.1 },
          },
          { asset: "USDC", supplied: tokens(usdcSupplied, "USDC"), borrowed: tokens(borrowed, "USDC") },
        ],
        closeFactor: 0.5,
        liquidation: { mechanism: "fixed-spread", fullCloseBelowHealthFactor: 0.95 },
        initialHealthFactor: { mean: hfMean, std: hfStd },
        assumption,
      };
    }
    if (kind === "amm") {
      const half = size / 2;
      return {
        id,
        kind,
        label,
        pools: [
          {
            id: "eth-usdc",
            curve: "constant-product",
            reserves: [
              { asset: "ETH", amount: tokens(half * 0.7, "ETH") },
              { asset: "USDC", amount: tokens(half * 0.7, "USDC") },
            ],
            fee: 0.003,
            assumption,
          },
          {
            id: "btc-usdc",
            curve: "constant-product",
            reserves: [
              { asset: "BTC", amount: tokens(half * 0.3, "BTC") },
              { asset: "USDC", amount: tokens(half * 0.3, "USDC") },
            ],
            fee: 0.003,
            assumption,
          },
        ],
      };
    }
    if (kind === "perp") {
      // Notional per side: the margin in positions (60%) times the leverage, split over ETH and BTC.
      const notional = (size * 0.6) / perpMargin / 2;
      return {
        id,
        kind,
        label,
        collateralAsset: "USDC",
        traderCollateral: tokens(size, "USDC"),
        insuranceFund: tokens(size * 0.03, "USDC"),
        markets: [
          {
            underlying: "ETH",
            openInterest: tokens(notional * 0.7, "ETH"),
            initialMargin: perpMargin,
            maintenanceMargin: perpMargin / 2,
            liquidationFee: 0.01,
          },
          {
            underlying: "BTC",
            openInterest: tokens(notional * 0.3, "BTC"),
            initialMargin: perpMargin,
            maintenanceMargin: perpMargin / 2,
            liquidationFee: 0.01,
          },
        ],
        assumption,
      };
    }
    // A vault owing USDC deposits (USDC first: its par asset), backed 5% over its liabilities.
    const backing = size * 1.05;
    const liquid = backing * vaultLiquid;
    return {
      id,
      kind,
      label,
      liabilities: { asset: "USDC", amount: tokens(size, "USDC") },
      backing: [
        { asset: "USDC", amount: tokens(liquid * (1 - vaultEth), "USDC"), liquidity: "liquid" },
        { asset: "ETH", amount: tokens(liquid * vaultEth, "ETH"), liquidity: "liquid" },
        { asset: "ETH", amount: tokens((backing - liquid) * vaultEth, "ETH"), liquidity: "illiquid" },
        { asset: "ALT", amount: tokens((backing - liquid) * (1 - vaultEth), "ALT"), liquidity: "illiquid" },
      ],
      mechanism: "collateralized",
      redemption: { mode: "instant" },
      assumption,
    };
  });

  // Claims: lending markets take deposits, vaults owe credit lines; AMMs hold no claims (their
  // pools belong to their LPs) and are exposed through prices only.
  const canHold = (i: number) => kinds[i] !== "amm";
  const canIssue = (i: number) => kinds[i] === "lending" || kinds[i] === "vault";
  const edges = buildTopology({
    topology: spec.topology,
    n,
    meanDegree: uniform(rng, spec.meanDegree),
    rng,
    canHold,
    canIssue,
  });
  const crossHoldings: CrossHoldingJson[] = [];
  for (const e of edges) {
    const usd = sizes[e.holder]! * uniform(rng, exposure);
    if (usd < 1) continue;
    const issuerKind = kinds[e.issuer]!;
    crossHoldings.push({
      holder: ids[e.holder]!,
      issuer: ids[e.issuer]!,
      asset: "USDC",
      amount: tokens(usd, "USDC"),
      form: issuerKind === "lending" ? "deposit" : "credit-line",
      assumption,
    });
    // A vault that borrowed on a credit line holds what it borrowed (in its illiquid book).
    if (issuerKind === "vault") {
      const v = protocols[e.issuer] as Extract<ProtocolJson, { kind: "vault" }>;
      v.backing.push({ asset: "USDC", amount: tokens(usd, "USDC"), liquidity: "illiquid" });
    }
  }

  const sigma = uniform(rng, spec.volatilityAnnual);
  const rho = uniform(rng, spec.correlation);
  const size = uniform(rng, spec.shock.size);
  const speed = Math.max(1, Math.round(uniform(rng, spec.shock.speedHours)));
  const start = Math.round(uniform(rng, spec.shock.atShare) * h);
  const stepsOfShock = Math.max(1, Math.min(speed, h - start));
  const shocks: NonNullable<ScenarioJson["shocks"]> = [];
  const fall = {
    ETH: size,
    BTC: size * Math.max(0, rho),
    ALT: Math.min(0.95, size * (0.5 + Math.max(0, rho))),
  };
  for (const [asset, total] of Object.entries(fall)) {
    if (total <= 0) continue;
    const each = (1 - total) ** (1 / stepsOfShock) - 1;
    for (let k = 0; k < stepsOfShock; k++) shocks.push({ asset, atHours: start + k, magnitude: each });
  }
  const depth = uniform(rng, spec.depthScale);
  const outside = (
    asset: string,
    depthUsd: number,
    arbitrage?: { bandBps: number; capacityUsdPerHour: number },
  ) => ({
    asset,
    depthUsd: depthUsd * depth,
    ...(arbitrage
      ? { arbitrage: { ...arbitrage, capacityUsdPerHour: arbitrage.capacityUsdPerHour * depth } }
      : {}),
    assumption:
      "Bid depth within 2% summed over outside venues, of the order Kaiko reported for 2022 (ETH, BTC), a stated round figure for USDC and a small-cap for ALT; scaled by the family's depthScale draw.",
  });

  return {
    v: 1,
    name: `${spec.name}-s${seed}`.slice(0, 64).replace(/-+$/, ""),
    title: `${spec.title} (seed ${seed})`,
    kind: "synthetic",
    source: `Generated by sims/scenarios/families from family ${spec.name}, seed ${seed}.`,
    notes: `${n} protocols, ${spec.topology} topology, ETH falls ${(size * 100).toFixed(1)}% over ${stepsOfShock} h from hour ${start}; all sizes are drawn from the family's stated ranges.`,
    seed,
    time: { horizonHours: h, stepHours: 1 },
    assets: [
      {
        symbol: "ETH",
        decimals: 18,
        priceUsd: PRICE.ETH,
        path: { model: "gbm", muAnnual: 0, sigmaAnnual: sigma },
      },
      {
        symbol: "BTC",
        decimals: 8,
        priceUsd: PRICE.BTC,
        path: { model: "gbm", muAnnual: 0, sigmaAnnual: sigma * 0.8 },
      },
      {
        symbol: "ALT",
        decimals: 18,
        priceUsd: PRICE.ALT,
        path: { model: "gbm", muAnnual: 0, sigmaAnnual: sigma * 1.5 },
      },
      { symbol: "USDC", decimals: 6, priceUsd: PRICE.USDC, path: { model: "constant" } },
    ],
    correlations: [
      { assets: ["ETH", "BTC"], rho },
      { assets: ["ETH", "ALT"], rho: rho * 0.7 },
      { assets: ["BTC", "ALT"], rho: rho * 0.7 },
    ],
    shocks,
    protocols,
    crossHoldings,
    outsideMarkets: [
      outside("ETH", 150e6, { bandBps: 40, capacityUsdPerHour: 50e6 }),
      outside("BTC", 100e6, { bandBps: 40, capacityUsdPerHour: 30e6 }),
      outside("ALT", 5e6),
      outside("USDC", 300e6, { bandBps: 10, capacityUsdPerHour: 100e6 }),
    ],
  };
}

function drawKinds(spec: FamilySpec, n: number, rng: Rng): Kind[] {
  const kinds: Kind[] = [...KINDS];
  const weights = KINDS.map((k) => spec.kindWeights[k]);
  const total = weights.reduce((a, b) => a + b, 0);
  while (kinds.length < n) {
    let u = rng.nextFloat() * total;
    let k = 0;
    while (k < KINDS.length - 1 && u >= weights[k]!) u -= weights[k++]!;
    kinds.push(KINDS[k]!);
  }
  // Fisher-Yates, so one of each kind is not always first (ring and chain order matters).
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds;
}

/** A parametric family's scenario for a seed, validated by the scenario schema. */
export function sampleFamily(spec: FamilySpec, seed: number): Scenario {
  const json = sampleFamilyJson(spec, seed);
  return parseScenario(json, `family ${spec.name} seed ${seed}`);
}

/** A named historic scenario as a family: its window's moves, block-bootstrapped per seed. */
export function sampleHistoric(scenarioName: string, seed: number): Scenario {
  const scenario = withPricePaths({ scenario: loadScenario(scenarioName), paths: "bootstrap" });
  return { ...scenario, seed };
}
