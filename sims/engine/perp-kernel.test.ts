import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenarios/load-scenario.ts";
import { adlScore, autoDeleverage } from "./perp-kernel.ts";
import { TEST_ASSUMPTION } from "./testing/fixtures.ts";
import { buildWorld, setPricesAt, toFloat } from "./world.ts";

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;

/** A perp venue with three traders a side on ETH, then positions set by hand. */
function perpWorld() {
  const scenario = parseScenario({
    v: 1,
    name: "perp",
    title: "Perp ADL",
    kind: "synthetic",
    source: "hand-made test scenario",
    notes: "numbers chosen to be checked by hand",
    time: { horizonHours: 2, stepHours: 1 },
    assets: [
      { symbol: "ETH", decimals: 18, priceUsd: 1000, path: { model: "constant" } },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
    protocols: [
      {
        id: "perp",
        kind: "perp",
        label: "Perp",
        collateralAsset: "USDC",
        traderCollateral: "100000",
        insuranceFund: "0",
        markets: [
          {
            underlying: "ETH",
            openInterest: "3",
            initialMargin: 0.1,
            maintenanceMargin: 0.05,
            liquidationFee: 0.01,
          },
        ],
        assumption: TEST_ASSUMPTION,
      },
    ],
    outsideMarkets: [{ asset: "ETH", depthUsd: 1e12, assumption: TEST_ASSUMPTION }],
  });
  const world = buildWorld({ scenario, options: { tradersPerSide: 3 } });
  setPricesAt(world, 0);
  const perp = world.perp;
  // Longs are positions 0-2, shorts 3-5. Shorts opened at $2000, $1500 and $1100: with ETH at
  // $1000 they are up $1000, $500 and $100 an ETH, each 1 ETH with 100 USDC of margin.
  const set = (i: number, side: 1 | -1, size: bigint, margin: bigint, entry: number) => {
    perp.positionSide[i] = side;
    perp.size[i] = size;
    perp.sizeFloat[i] = toFloat(size, E18);
    perp.margin[i] = margin;
    perp.marginFloat[i] = toFloat(margin, E6);
    perp.entryUsd8[i] = BigInt(entry) * 10n ** 8n;
    perp.entryFloat[i] = entry;
    perp.positionActive[i] = 1;
  };
  for (const i of [0, 1, 2]) set(i, 1, E18, 100n * E6, 1000);
  set(3, -1, E18, 100n * E6, 2000);
  set(4, -1, E18, 100n * E6, 1500);
  set(5, -1, E18, 100n * E6, 1100);
  perp.idle[0] = 0n;
  return world;
}

describe("auto-deleveraging: the most profitable positions first, at the bankruptcy price", () => {
  it("ranks by profit share of margin times effective leverage", () => {
    const world = perpWorld();
    // (1000 / 100) x (1000 / 1100) = 9.09; (500 / 100) x (1000 / 600) = 8.33; (100 / 100) x 5 = 5.
    expect(adlScore(world, 3)).toBeCloseTo(9.0909, 3);
    expect(adlScore(world, 4)).toBeCloseTo(8.3333, 3);
    expect(adlScore(world, 5)).toBeCloseTo(5, 6);
    expect(adlScore(world, 0)).toBe(0); // a losing (flat) long is never deleveraged
  });

  it("closes the top short in full and the next in part to cover a bankrupt long's deficit", () => {
    const world = perpWorld();
    // A long of 1.5 ETH went bankrupt 300 USDC short of zero (after the insurance fund).
    const covered = autoDeleverage({
      world,
      market: 0,
      bankruptSide: 1,
      bankruptSize: 1_500_000_000_000_000_000n,
      loss: 300n * E6,
    });
    expect(covered).toBe(300n * E6);
    const perp = world.perp;
    // Short 3 closes 1 ETH and bears 1 / 1.5 of the deficit (200): it keeps 100 margin + 1000 profit - 200.
    expect(perp.positionActive[3]).toBe(0);
    // Short 4 closes the remaining 0.5 ETH and bears 100: it keeps 50 + 250 - 100 = 200; 0.5 ETH stays open.
    expect(perp.size[4]).toBe(500_000_000_000_000_000n);
    expect(perp.margin[4]).toBe(50n * E6);
    // Short 5, the least profitable, is untouched.
    expect(perp.size[5]).toBe(E18);
    expect(perp.margin[5]).toBe(100n * E6);
    // The closed parts' margin and profit, less the deficit, are free collateral: 900 + 200.
    expect(perp.idle[0]).toBe(1_100n * E6);
  });
});
