import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario } from "../scenarios/load-scenario.ts";
import { sell } from "./market.ts";
import { runEngine } from "./run-engine.ts";
import { oneBorrower, TEST_ASSUMPTION } from "./testing/fixtures.ts";
import { buildWorld, type World } from "./world.ts";

const E18 = 10n ** 18n;

/** ETH at $2000 with an outside market of $1M within 2% and, optionally, a 1000 ETH pool. */
function market(p: { pool: boolean; capacityUsdPerHour?: number }): World {
  const base = oneBorrower();
  const scenario = parseScenario({
    ...base,
    shocks: [],
    protocols: [
      ...base.protocols!,
      ...(p.pool
        ? [
            {
              id: "dex",
              kind: "amm" as const,
              label: "DEX",
              pools: [
                {
                  id: "eth-usdc",
                  curve: "constant-product" as const,
                  reserves: [
                    { asset: "ETH", amount: "1000" },
                    { asset: "USDC", amount: "2000000" },
                  ],
                  fee: 0,
                  assumption: TEST_ASSUMPTION,
                },
              ],
            },
          ]
        : []),
    ],
    outsideMarkets: [
      {
        asset: "ETH",
        depthUsd: 1_000_000,
        priceMove: 0.02,
        refillPerHour: 0.5,
        ...(p.pool ? { arbitrage: { bandBps: 100, capacityUsdPerHour: p.capacityUsdPerHour ?? 1e9 } } : {}),
        assumption: TEST_ASSUMPTION,
      },
    ],
  });
  return buildWorld({ scenario, options: { positionsPerLending: 1 } });
}

describe("outside market: square-root impact through the stated depth", () => {
  it("moves the price by priceMove x sqrt(sold / depth) and pays the average along the way", () => {
    const world = market({ pool: false });
    // 100 ETH = $200,000 into a book with $1M within 2%: 2% x sqrt(0.2) = 0.894% lower.
    const { proceedsUsd8 } = sell(world, 0, 100n * E18);
    const move = 0.02 * Math.sqrt(0.2);
    expect(world.outsideFactor[0]).toBeCloseTo(1 - move, 12);
    expect(world.priceFloat[0]).toBeCloseTo(2000 * (1 - move), 6);
    // The integral of the square root: on average (2/3) of the final move.
    expect(Number(proceedsUsd8) / 1e8).toBeCloseTo(200_000 * (1 - (2 / 3) * move), 0);
  });

  it("caps the dislocation the engine's selling can cause", () => {
    const world = market({ pool: false });
    sell(world, 0, 1_000_000n * E18); // $2B into $1M of depth
    expect(world.outsideFactor[0]).toBeCloseTo(1 - world.options.maxOutsideDislocation, 12);
  });
});

describe("pool and arbitrage: a sale cannot push the pool past what arbitrageurs allow", () => {
  it("stops at the band while arbitrageurs have capacity", () => {
    const world = market({ pool: true });
    sell(world, 0, 200n * E18);
    expect(world.venueFactor[0]).toBeCloseTo(0.99, 6);
    // A constant-product pool alone: 2000 x (1000 / 1200)^2 = $1389. Here: the band and the
    // outside book's move for what arbitrageurs resold there.
    expect(world.priceFloat[0]).toBeGreaterThan(1900);
  });

  it("goes to twice the band when their capacity is spent, then to the outside market", () => {
    const world = market({ pool: true, capacityUsdPerHour: 0 });
    sell(world, 0, 200n * E18);
    // Sellers reach the outside market themselves only once the pool is twice the band below it.
    expect(world.venueFactor[0]).toBeCloseTo(0.98, 6);
    expect(world.outsideFactor[0]).toBeLessThan(1);
  });
});

describe("the USDC depeg no longer sends ETH to $3", () => {
  it("keeps ETH within a few percent of its path (the old engine's $25M fallback pool took it to $1-3)", async () => {
    const scenario = loadScenario("march-2023-usdc-depeg");
    const r = await runEngine({ scenario, seed: 1, options: { positionsPerLending: 200 } });
    const eth = r.assets.indexOf("ETH");
    // Its path's low is $1,373 (-4%); the engine's own selling adds at most the outside book's move.
    expect(Math.min(...r.series.prices[eth]!)).toBeGreaterThan(1_300);
    expect(Number(r.totals.badDebtUsd8) / 1e8).toBeLessThan(5_000_000);
  });

  it("is far less sensitive to depth: bad debt moves by under $5M from a tenth to ten times every depth", async () => {
    // The old engine: $436M at a tenth of its depths, $223M at ten times (seeds 1-5, pools and
    // fallback pool scaled together); $409M to $0 between a $25M and a $2.5B fallback pool.
    const scenario = loadScenario("march-2023-usdc-depeg");
    const run = async (depthScale: number) => {
      const r = await runEngine({ scenario, seed: 1, options: { positionsPerLending: 200, depthScale } });
      return {
        badDebt: Number(r.totals.badDebtUsd8) / 1e8,
        ethLow: Math.min(...r.series.prices[r.assets.indexOf("ETH")]!),
      };
    };
    const thin = await run(0.1);
    const deep = await run(10);
    // Depth still matters (thinner books, lower lows), but only at the margin.
    expect(thin.ethLow).toBeLessThan(deep.ethLow);
    expect(Math.abs(thin.badDebt - deep.badDebt)).toBeLessThan(5_000_000);
  });
});
