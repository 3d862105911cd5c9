import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
import { createBuiltinPolicy } from "./builtin-policy.ts";
import type { EnginePolicy, PolicyContext } from "./engine-policy.ts";
import { runEngine } from "./run-engine.ts";
import { bank } from "./testing/fixtures.ts";

/** The bank fixture with ETH (the collateral the bank pledges) on `keyframes`. */
function bankWithEth(keyframes: { hours: number; change: number }[]): ScenarioJson {
  const s = bank(false);
  return {
    ...s,
    assets: s.assets.map((a) => (a.symbol === "ETH" ? { ...a, path: { model: "scripted", keyframes } } : a)),
  } as ScenarioJson;
}

/** The built-in policy, keeping what each loan's health read said (through the policy's ports). */
function withMargins(margins: boolean): EnginePolicy {
  return createBuiltinPolicy({ negotiation: true, derisking: false, margins });
}

const run = (scenario: ScenarioJson, policy: EnginePolicy) =>
  runEngine({ scenario: parseScenario(scenario), options: { positionsPerLending: 20 }, policy });

describe("margined negotiated loans in a run (ledger backend)", () => {
  it("collateral that gaps down 30% in an hour: the lender liquidates the negotiated loan, and the engine's books follow", async () => {
    // ETH holds for 7 hours, then falls 30% within the 8th.
    const scenario = bankWithEth([
      { hours: 7, change: 0 },
      { hours: 8, change: -0.3 },
    ]);
    const ethOfLender: bigint[] = [];
    const inner = withMargins(true);
    const policy: EnginePolicy = {
      name: inner.name,
      async onStep(ctx: PolicyContext) {
        await inner.onStep(ctx);
        const eth = ctx.world.assets.findIndex((a) => a.symbol === "ETH");
        ethOfLender.push(ctx.world.balance[1 * ctx.world.assetCount + eth]!);
      },
    };
    const r = await run(scenario, policy);
    const loan = r.events.find((e) => e.type === "loan")!;
    expect(loan).toBeDefined();
    expect(loan.step).toBeLessThan(8);
    const liquidations = r.events.flatMap((e) => (e.type === "liquidated" ? [e] : []));
    expect(liquidations.length).toBeGreaterThan(0);
    expect(liquidations[0]!.step).toBe(8);
    expect(liquidations[0]!.lender).toBe("lender");
    expect(liquidations[0]!.borrower).toBe("bank");
    // The liquidator took collateral worth more than the debt it repaid (the bonus).
    expect(liquidations[0]!.seizedUsd8).toBeGreaterThan(liquidations[0]!.repaidUsd8);
    expect(r.totals.loansLiquidated).toBe(1);
    expect(r.totals.negotiatedLiquidatedUsd8).toBeGreaterThan(0n);
    // The lender held no ETH before; the seized collateral is on its books from hour 8.
    expect(ethOfLender[7]).toBe(0n);
    expect(ethOfLender[8]).toBeGreaterThan(0n);
    // Unmargined, the same crash liquidates nothing.
    const plain = await run(scenario, withMargins(false));
    expect(plain.events.some((e) => e.type === "liquidated")).toBe(false);
    expect(plain.totals.loansLiquidated).toBe(0);
  });

  it("collateral that declines 1% an hour: the borrower tops up before its loan becomes liquidatable", async () => {
    const scenario = bankWithEth([
      { hours: 3, change: 0 },
      { hours: 13, change: -0.1 },
    ]);
    const r = await run(scenario, withMargins(true));
    const loan = r.events.find((e) => e.type === "loan")!;
    expect(loan).toBeDefined();
    const topUps = r.events.filter((e) => e.type === "topped-up");
    expect(topUps.length).toBeGreaterThan(0);
    expect(r.events.some((e) => e.type === "liquidated")).toBe(false);
    expect(r.totals.loansToppedUp).toBe(1);
    expect(r.totals.loansLiquidated).toBe(0);
  });
});
