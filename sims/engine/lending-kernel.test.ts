import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenarios/load-scenario.ts";
import { updateOracles } from "./lending-kernel.ts";
import { oneBorrower, TEST_ASSUMPTION } from "./testing/fixtures.ts";
import { buildWorld, setPricesAt, type World } from "./world.ts";

/** The one-borrower market with a Chainlink-style oracle: 0.5% deviation, 2-hour heartbeat. */
function worldWithOracle(delayHours = 0): World {
  const base = oneBorrower();
  const lender = base.protocols![0]!;
  if (lender.kind !== "lending") throw new Error("expected a lending protocol");
  const scenario = parseScenario({
    ...base,
    time: { horizonHours: 6, stepHours: 1 },
    shocks: [],
    protocols: [
      {
        ...lender,
        oracleDelayHours: delayHours,
        oracle: { deviation: 0.005, heartbeatHours: 2, assumption: TEST_ASSUMPTION },
      },
    ],
  });
  return buildWorld({ scenario, options: { positionsPerLending: 1 } });
}

/** Sets ETH's market price at `step` (the engine's dislocation, here a plain factor). */
function marketAt(world: World, step: number, factor: number): number {
  world.step = step;
  world.outsideFactor[0] = factor;
  setPricesAt(world, step);
  updateOracles(world);
  return world.lending.oracleAnswerFloat[0]!;
}

describe("push oracle: deviation threshold and heartbeat", () => {
  it("writes a new answer only past the deviation or the heartbeat", () => {
    const world = worldWithOracle();
    expect(marketAt(world, 0, 1)).toBe(2000);
    // +0.4% an hour later: within the 0.5% threshold and the 2-hour heartbeat, the answer stays.
    expect(marketAt(world, 1, 1.004)).toBe(2000);
    // +0.6% (in the same hour, after a sale): past the threshold, it updates.
    expect(marketAt(world, 1, 1.006)).toBe(2012);
    // +0.1% at hour 2: one hour since the update, no change; at hour 3 the heartbeat writes it.
    expect(marketAt(world, 2, 1.007)).toBe(2012);
    expect(marketAt(world, 3, 1.007)).toBe(2014);
  });

  it("reads the market price its delay ago (Maker's OSM), then applies the same rules", () => {
    const world = worldWithOracle(1);
    expect(marketAt(world, 0, 1)).toBe(2000);
    // At hour 1 the oracle sees hour 0's $2000; at hour 2 it sees hour 1's $1900 (-5%).
    expect(marketAt(world, 1, 0.95)).toBe(2000);
    expect(marketAt(world, 2, 0.95)).toBe(1900);
  });
});
