/**
 * Hand-made scenarios for the engine's tests: small enough to check by hand, each with the
 * provenance and outside markets the schema requires (every figure here is a test assumption).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScenarioJson } from "../../scenarios/scenario-schema.ts";

export const TEST_ASSUMPTION = "hand-made test figure, chosen to be checked by hand";

export const zeroRates = { baseBps: 0, slope1Bps: 0, slope2Bps: 0, kinkBps: 8000, reserveFactorBps: 0 };

type OutsideMarket = NonNullable<ScenarioJson["outsideMarkets"]>[number];

/** An outside market deep enough that a test's sales barely move it. */
export const deepOutside = (asset: string, extra: Partial<OutsideMarket> = {}): OutsideMarket => ({
  asset,
  depthUsd: 1e15,
  assumption: TEST_ASSUMPTION,
  ...extra,
});

/** One borrower: 100 ETH at $2000 against 100,000 USDC, health factor 1.6 (LT 0.8); ETH halves at
 *  hour 1. Aave v3 liquidation rules (50% close factor, all of it below a 0.95 health factor). */
export function oneBorrower(extra: Partial<ScenarioJson> = {}): ScenarioJson {
  return {
    v: 1,
    name: "one-borrower",
    title: "One borrower, one crash",
    kind: "synthetic",
    source: "hand-made test scenario",
    notes: "numbers chosen to be checked by hand",
    time: { horizonHours: 3, stepHours: 1 },
    assets: [
      { symbol: "ETH", decimals: 18, priceUsd: 2000, path: { model: "constant" } },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
    shocks: [{ asset: "ETH", atHours: 1, magnitude: -0.5 }],
    protocols: [
      {
        id: "lender",
        kind: "lending",
        label: "Lender",
        reserves: [
          {
            asset: "ETH",
            supplied: "100",
            borrowed: "0",
            collateral: { ltv: 0.75, liquidationThreshold: 0.8, liquidationBonus: 0.05 },
          },
          { asset: "USDC", supplied: "1000000", borrowed: "100000" },
        ],
        closeFactor: 0.5,
        liquidation: { mechanism: "fixed-spread", fullCloseBelowHealthFactor: 0.95 },
        initialHealthFactor: { mean: 1.6, std: 0 },
        assumption: TEST_ASSUMPTION,
      },
    ],
    outsideMarkets: [deepOutside("ETH")],
    ...extra,
  };
}

type ProtocolJson = NonNullable<ScenarioJson["protocols"]>[number];
type CrossHoldingJson = NonNullable<ScenarioJson["crossHoldings"]>[number];

/** A vault owing `liabilities` USDC with the given backing (amounts in whole tokens). */
export const vault = (
  id: string,
  liabilities: string,
  backing: { asset: string; amount: string; liquidity: "liquid" | "illiquid" | "locked" }[],
  extra: Partial<Extract<ProtocolJson, { kind: "vault" }>> = {},
): ProtocolJson => ({
  id,
  kind: "vault",
  label: id.toUpperCase(),
  liabilities: { asset: "USDC", amount: liabilities },
  backing,
  mechanism: "collateralized",
  redemption: { mode: "instant" },
  assumption: TEST_ASSUMPTION,
  ...extra,
});

export const creditLine = (holder: string, issuer: string, amount: string): CrossHoldingJson => ({
  holder,
  issuer,
  asset: "USDC",
  amount,
  form: "credit-line",
  assumption: TEST_ASSUMPTION,
});

/**
 * Three funds in a chain: A owes B, B owes C (credit lines). Only A's backing (XA) is shocked,
 * at hour 2. A: owes depositors 100M and B 50M, holds 160M of XA. B: owes depositors 100M and C
 * `bOwesC`, holds 100M USDC and its 50M claim on A. C: owes depositors 100M, holds 20M USDC, 85M
 * locked (`cLocked`) and its claim on B. With `linked: false` there are no credit lines (and the
 * funds hold the same equity in cash instead).
 */
export function chainOfFunds(
  p: { bOwesC: number; cLocked?: number; linked?: boolean } = { bOwesC: 40 },
): ScenarioJson {
  const linked = p.linked ?? true;
  const cLocked = p.cLocked ?? 85;
  const M = (x: number) => `${x}000000`;

  return {
    v: 1,
    name: "chain-of-funds",
    title: "A chain of funds: only the first is shocked",
    kind: "synthetic",
    source: "hand-made test scenario",
    notes: "numbers chosen to be checked by hand",
    time: { horizonHours: 48, stepHours: 1 },
    assets: [
      { symbol: "XA", decimals: 18, priceUsd: 1, path: { model: "constant" } },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
    shocks: [{ asset: "XA", atHours: 2, magnitude: -0.5 }],
    protocols: [
      // USDC first: it is what the vault's liabilities are redeemable for (its par asset).
      vault(
        "a",
        "100000000",
        [
          { asset: "USDC", amount: "0", liquidity: "liquid" },
          { asset: "XA", amount: M(linked ? 160 : 110), liquidity: "illiquid" },
        ],
        { redemption: { mode: "paused" } },
      ),
      vault("b", "100000000", [
        { asset: "USDC", amount: M(linked ? 100 : 150 - p.bOwesC), liquidity: "liquid" },
      ]),
      vault("c", "100000000", [
        { asset: "USDC", amount: M(linked ? 20 : 20 + p.bOwesC), liquidity: "liquid" },
        { asset: "USDC", amount: M(cLocked), liquidity: "locked" },
      ]),
    ],
    crossHoldings: linked ? [creditLine("b", "a", "50000000"), creditLine("c", "b", M(p.bOwesC))] : [],
    outsideMarkets: [deepOutside("XA")],
  };
}

/** A lending market whose USDC depositors run while its cash is lent out, and a lender with cash. */
export function bank(crash: boolean): ScenarioJson {
  return {
    v: 1,
    name: "bank",
    title: "A run on a lending market",
    kind: "synthetic",
    source: "hand-made test scenario",
    notes: "numbers chosen to be checked by hand",
    time: { horizonHours: 60, stepHours: 1 },
    assets: [
      {
        symbol: "ETH",
        decimals: 18,
        priceUsd: 2000,
        path: crash
          ? {
              model: "scripted",
              keyframes: [
                { hours: 7, change: 0 },
                { hours: 8, change: -0.3 },
              ],
            }
          : { model: "constant" },
      },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
    protocols: [
      {
        id: "bank",
        kind: "lending",
        label: "Bank",
        reserves: [
          {
            asset: "ETH",
            supplied: "150000",
            borrowed: "0",
            collateral: { ltv: 0.75, liquidationThreshold: 0.8, liquidationBonus: 0.05 },
          },
          { asset: "USDC", supplied: "100000000", borrowed: "90000000" },
        ],
        closeFactor: 0.5,
        liquidation: { mechanism: "fixed-spread", fullCloseBelowHealthFactor: 0.95 },
        initialHealthFactor: { mean: 1.3, std: 0 },
        distress: {
          run: {
            perEquityLoss: 0,
            perHaltedExposure: 0,
            perDrawdown: 0,
            drawdownFloor: 1,
            maxPerHour: 1,
            maxShare: 1,
          },
          assumption: TEST_ASSUMPTION,
        },
        assumption: TEST_ASSUMPTION,
      },
      {
        id: "lender",
        kind: "lending",
        label: "Lender",
        reserves: [{ asset: "USDC", supplied: "500000000", borrowed: "0" }],
        closeFactor: 0.5,
        liquidation: { mechanism: "fixed-spread" },
        initialHealthFactor: { mean: 2, std: 0 },
        assumption: TEST_ASSUMPTION,
      },
    ],
    withdrawalRuns: [
      {
        protocol: "bank",
        asset: "USDC",
        trigger: { kind: "time", atHours: 1 },
        sharePerHour: 0.04,
        maxShare: 0.2,
        assumption: TEST_ASSUMPTION,
      },
    ],
    outsideMarkets: [{ asset: "ETH", depthUsd: 1e12, assumption: TEST_ASSUMPTION }],
  };
}

/**
 * The default study's scenario (contagion-demo.json) with the scripted prices it had before it
 * replayed real data: ETH falls 35% over 36 hours and recovers to -25% by hour 96, stETH slips to
 * 0.995 then 0.99 of ETH. On this path the fund is illiquid but not insolvent until it fire-sells,
 * which is what the tests of negotiation and de-risking need; on June 2022's real path its thin
 * equity goes with the stETH discount within hours, whatever the agents do.
 */
export function scriptedDemo(): ScenarioJson {
  const demo = JSON.parse(
    readFileSync(fileURLToPath(new URL("../scenarios/contagion-demo.json", import.meta.url)), "utf8"),
  ) as ScenarioJson & { market?: unknown };
  const { market: _market, ...rest } = demo;
  return {
    ...rest,
    assets: [
      {
        symbol: "ETH",
        decimals: 18,
        priceUsd: 2000,
        path: {
          model: "scripted",
          keyframes: [
            { hours: 12, change: -0.08 },
            { hours: 24, change: -0.2 },
            { hours: 30, change: -0.3 },
            { hours: 36, change: -0.35 },
            { hours: 48, change: -0.3 },
            { hours: 72, change: -0.28 },
            { hours: 96, change: -0.25 },
          ],
        },
      },
      {
        symbol: "stETH",
        decimals: 18,
        priceUsd: 2000,
        path: {
          model: "ratio",
          base: "ETH",
          keyframes: [
            { hours: 24, ratio: 0.995 },
            { hours: 96, ratio: 0.99 },
          ],
        },
      },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
  };
}
