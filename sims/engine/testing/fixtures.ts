/**
 * Hand-made scenarios for the engine's tests: small enough to check by hand, each with the
 * provenance and outside markets the schema requires (every figure here is a test assumption).
 */
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
