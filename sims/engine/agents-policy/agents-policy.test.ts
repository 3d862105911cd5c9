/**
 * The differential test of issue 13: the built-in policy is a fast mode of the real agents. On the
 * same scenario and seed, the agents policy (the shipped agents on the in-process bus and a
 * simulated clock) and the built-in policy make the same decisions and the same loans, step by
 * step: lender, borrower, principal, collateral, rate, tenor, rounds, repaid or defaulted, and the
 * run's outcome is the same. And the agents' run repeats byte for byte on the wire.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../scenarios/load-scenario.ts";
import { withPricePaths } from "../../scenarios/with-price-paths.ts";
import { type BuiltinPolicyParameters, createBuiltinPolicy } from "../builtin-policy.ts";
import type { EnginePolicy } from "../engine-policy.ts";
import { DEFAULT_SCENARIO } from "../run-contagion-study.ts";
import { runEngine } from "../run-engine.ts";
import { createAgentsPolicy } from "./agents-policy.ts";

type Flags = Omit<BuiltinPolicyParameters, "negotiation" | "derisking">;

/** Every loan the policy arranged, as the world holds it, after each step's decisions. */
function watched(inner: EnginePolicy) {
  const steps: string[] = [];
  const policy: EnginePolicy = {
    name: inner.name,
    async onStep(ctx) {
      await inner.onStep(ctx);
      const loans = ctx.world.loans.map((l) => ({
        lender: l.lender,
        borrower: l.borrower,
        asset: l.asset,
        principal: l.principal,
        collateralAsset: l.collateralAsset,
        collateral: l.collateral,
        rateBps: l.rateBps,
        openedStep: l.openedStep,
        maturitySec: l.maturitySec,
        status: l.status,
      }));
      steps.push(JSON.stringify(loans, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
    },
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
  return { policy, steps };
}

async function runBoth(name: string, seed: number, flags: Flags) {
  const scenario = withPricePaths({ scenario: loadScenario(name), paths: "bootstrap" });
  const run = async (inner: EnginePolicy) => {
    const w = watched(inner);
    const r = await runEngine({ scenario, seed, policy: w.policy });
    return { events: r.events, totals: r.totals, steps: w.steps };
  };
  const builtin = await run(createBuiltinPolicy({ ...flags, negotiation: true, derisking: false }));
  const agents = await run(createAgentsPolicy({ ...flags, negotiation: true, derisking: false }));
  return { builtin, agents };
}

// Short tenors, so that loans fall due within the scenarios' horizons and are serviced.
const SHORT = { tenorHours: 6, illiquidTenorHours: 12 };

describe("the built-in policy decides as the real agents do", () => {
  it("the contagion demo, seed 1: the same loan, the same default claim, the same run", async () => {
    const { builtin, agents } = await runBoth(DEFAULT_SCENARIO, 1, SHORT);
    expect(builtin.events.map((e) => e.type)).toEqual(["loan", "defaulted"]);
    expect(agents.events).toEqual(builtin.events);
    expect(agents.steps).toEqual(builtin.steps);
    expect(agents.totals).toEqual(builtin.totals);
  }, 120_000);

  it("the contagion demo, seed 2, default tenors: the same fire-sale loan over two weeks", async () => {
    const { builtin, agents } = await runBoth(DEFAULT_SCENARIO, 2, {});
    expect(builtin.events.map((e) => e.type)).toEqual(["loan"]);
    expect(agents.events).toEqual(builtin.events);
    expect(agents.steps).toEqual(builtin.steps);
    expect(agents.totals).toEqual(builtin.totals);
  }, 120_000);

  it("June 2022 stETH discount, seed 3: a loan, its default, and a borrower no lender bids for", async () => {
    const { builtin, agents } = await runBoth("june-2022-steth-discount", 3, SHORT);
    expect(builtin.events.map((e) => e.type)).toEqual(["loan", "defaulted", "no-deal"]);
    expect(agents.events).toEqual(builtin.events);
    expect(agents.steps).toEqual(builtin.steps);
    expect(agents.totals).toEqual(builtin.totals);
  }, 120_000);

  it("June 2022 stETH discount, seed 1, two-hour loans: a default, then the borrower borrows again", async () => {
    const { builtin, agents } = await runBoth("june-2022-steth-discount", 1, {
      tenorHours: 2,
      illiquidTenorHours: 3,
    });
    // The borrower sees its lender's claim at its next look (the step after) and is short again.
    const events = builtin.events.map((e) => `${e.type}@${e.step}`);
    expect(events).toEqual(["loan@18", "defaulted@46", "loan@47", "defaulted@75"]);
    expect(agents.events).toEqual(builtin.events);
    expect(agents.steps).toEqual(builtin.steps);
    expect(agents.totals).toEqual(builtin.totals);
  }, 120_000);
});

describe("the real agents in the simulator are deterministic", () => {
  it("the same seed puts the same bytes on the wire; another seed does not", async () => {
    const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: "bootstrap" });
    const transcript = async (seed: number) => {
      const policy = createAgentsPolicy({ negotiation: true, derisking: false, keepWire: true });
      await runEngine({ scenario, seed, policy });
      return policy.transcript();
    };
    const first = await transcript(1);
    const again = await transcript(1);
    const other = await transcript(2);
    // RFQ, offers, accept, confirm: signed envelopes, byte for byte.
    expect(first.messages).toBeGreaterThan(3);
    expect(first.lines[0]).toMatch(/^liq\.v0\.rfq\./);
    expect(again).toEqual(first);
    expect(other.sha256).not.toBe(first.sha256);
  }, 120_000);
});
