import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VALUATION_WEIGHTS } from "../../models/valuation/paths.ts";
import { readValuationFile } from "../../models/valuation/valuation-model.ts";
import { loadScenario, parseScenario } from "../scenarios/load-scenario.ts";
import { createBuiltinPolicy, stepAlert } from "./builtin-policy.ts";
import { createDerisking } from "./engine-adapter.ts";
import type { EnginePolicy } from "./engine-policy.ts";
import { loanNeed } from "./loan-need.ts";
import { runEngine } from "./run-engine.ts";
import { bank } from "./testing/fixtures.ts";
import { buildWorld, usd8Of, type World } from "./world.ts";

const DEMO = fileURLToPath(new URL("./scenarios/contagion-demo.json", import.meta.url));

/** The built-in policy, remembering the world it last acted on. */
function watched(flags: { negotiation: boolean; derisking: boolean }): {
  policy: EnginePolicy;
  world: () => World;
} {
  const inner = createBuiltinPolicy(flags);
  let world: World | undefined;
  return {
    policy: {
      name: inner.name,
      onStep(ctx) {
        world = ctx.world;
        return inner.onStep(ctx);
      },
    },
    world: () => world!,
  };
}

describe("alerts expire, as the contract's do", () => {
  it("a quorum raises the alert and renews it before it lapses; at its expiry every level is released and a standing quorum raises a new one", () => {
    let s = stepAlert({ level: 0, expiresHour: 0 }, 2, 5, 12, 1);
    expect(s).toEqual({ next: { level: 2, expiresHour: 17 }, raise: [1, 2], release: [], renewed: true });
    // The quorum holds, but the alert is far from its expiry: nothing to renew yet.
    s = stepAlert(s.next, 2, 10, 12, 1);
    expect(s).toEqual({ next: { level: 2, expiresHour: 17 }, raise: [], release: [], renewed: false });
    // Within a step of its expiry, the standing quorum renews it.
    s = stepAlert(s.next, 2, 16, 12, 1);
    expect(s).toEqual({ next: { level: 2, expiresHour: 28 }, raise: [], release: [], renewed: true });
    // The quorum falls to level 1: level 2 is not renewed and stays in force until it expires...
    s = stepAlert(s.next, 1, 27, 12, 1);
    expect(s).toEqual({ next: { level: 2, expiresHour: 28 }, raise: [], release: [], renewed: false });
    // ...then lapses (the contract's level falls to 0) and the level-1 quorum raises a new alert.
    s = stepAlert(s.next, 1, 28, 12, 1);
    expect(s).toEqual({ next: { level: 1, expiresHour: 40 }, raise: [1], release: [2, 1], renewed: true });
    // No quorum at all: it lapses to the all-clear.
    s = stepAlert(s.next, 0, 40, 12, 1);
    expect(s).toEqual({ next: { level: 0, expiresHour: 0 }, raise: [], release: [1], renewed: false });
  });

  it("releasing a tightening restores the protocol's parameters exactly", () => {
    const world = buildWorld({
      scenario: loadScenario(DEMO),
      options: { positionsPerLending: 10, tradersPerSide: 4 },
    });
    const lender = createDerisking(world, 0);
    const perp = createDerisking(world, 2);
    const fund = createDerisking(world, 3);
    const margins = world.perp.markets.map((m) => m.maintenanceMarginBps);
    lender.tighten(300);
    lender.tighten(300);
    perp.tighten(3000);
    fund.tighten(200);
    expect(world.lending.thresholdScale[0]).toBeCloseTo(0.97 * 0.97, 12);
    expect(world.perp.markets[0]!.maintenanceMarginBps).toBe(650);
    expect(world.vaults[0]!.capPerStep).toBeDefined();
    lender.release(300);
    lender.release(300);
    perp.release(3000);
    fund.release(200);
    expect(world.lending.thresholdScale[0]).toBe(1);
    expect(world.perp.markets.map((m) => m.maintenanceMarginBps)).toEqual(margins);
    expect(world.vaults[0]!.capPerStep).toBeUndefined();
  });

  it("in a run, de-risking unwinds once the drawdown is over and the alert lapses", async () => {
    // ETH falls 20% by hour 10 and is back by hour 20: the 15% alert is raised, then lapses.
    const demo = loadScenario(DEMO);
    const scenario = {
      ...demo,
      assets: demo.assets.map((a) =>
        a.symbol === "ETH"
          ? {
              ...a,
              path: {
                model: "scripted" as const,
                keyframes: [
                  { hours: 10, change: -0.2 },
                  { hours: 20, change: 0 },
                ],
              },
            }
          : a,
      ),
      withdrawalRuns: [],
    };
    const { policy, world } = watched({ negotiation: false, derisking: true });
    const r = await runEngine({ scenario, options: { positionsPerLending: 50, tradersPerSide: 10 }, policy });
    const alerts = r.events.flatMap((e) => (e.type === "alert" ? [e.level] : []));
    expect(alerts).toEqual([1, 0]);
    expect(r.events.filter((e) => e.type === "derisk" && e.action.startsWith("release"))).toHaveLength(4);
    expect(world().lending.thresholdScale[0]).toBe(1);
  });
});

describe("negotiated loans mature within the scenario", () => {
  const runBank = (crash: boolean) =>
    runEngine({
      scenario: parseScenario(bank(crash)),
      // (The default rate model: with zero rates a shortfall costs nothing and nobody borrows.)
      options: { positionsPerLending: 20 },
      policy: createBuiltinPolicy({ negotiation: true, derisking: false }),
    });

  it("the borrower repays when liquidations bring its cash back", async () => {
    const r = await runBank(true);
    expect(r.totals.loans).toBe(1);
    expect(r.totals.loansRepaid).toBe(1);
    expect(r.totals.defaults).toBe(0);
    const loan = r.events.find((e) => e.type === "loan")!;
    const repaid = r.events.find((e) => e.type === "repaid")!;
    expect(repaid.step).toBeGreaterThan(loan.step);
  });

  it("a borrower that cannot repay defaults after maturity and grace; the lender takes the collateral", async () => {
    const r = await runBank(false);
    expect(r.totals.loans).toBe(1);
    expect(r.totals.loansRepaid).toBe(0);
    expect(r.totals.defaults).toBe(1);
    const loan = r.events.find((e) => e.type === "loan")!;
    const defaulted = r.events.find((e) => e.type === "defaulted")!;
    // A day's tenor and a day's grace.
    expect(defaulted.step).toBe(loan.step + 49);
    expect(r.totals.loansOutstanding).toBe(0);
  });
});

describe("no dust loans", () => {
  it("a loan is sought only for a shortfall cash and deposits at peers cannot cover, and sized for the episode", () => {
    const world = buildWorld({ scenario: parseScenario(bank(false)), options: { positionsPerLending: 20 } });
    const usdc = 1;
    const at = 0 * world.assetCount + usdc;
    const o = { minLoanUsd8: usd8Of(1_000_000), coverageSteps: 12 };
    // 10M of cash: 6M owed is paid from it, no loan.
    world.owed[at] = 6_000_000n * 1_000_000n;
    expect(loanNeed(world, 0, o)).toBeUndefined();
    // 12M owed, 4M asked this step: short 2M, and 12 more hours at 4M: 50M.
    world.owed[at] = 12_000_000n * 1_000_000n;
    world.asked[at] = 4_000_000n * 1_000_000n;
    expect(loanNeed(world, 0, o)).toEqual({
      asset: usdc,
      shortfall: 2_000_000n * 1_000_000n,
      principal: 50_000_000n * 1_000_000n,
      without: "unpaid withdrawals",
    });
    // A small shortfall still asks for the minimum.
    world.owed[at] = 10_000_100n * 1_000_000n;
    world.asked[at] = 0n;
    expect(loanNeed(world, 0, o)?.principal).toBe(1_000_000n * 1_000_000n);
  });

  it("the demo's fund borrows once for its run, at least $1M (the old engine settled ~74 dust loans a run)", async () => {
    const r = await runEngine({
      scenario: loadScenario(DEMO),
      policy: createBuiltinPolicy({ negotiation: true, derisking: false }),
    });
    const loans = r.events.flatMap((e) => (e.type === "loan" ? [e] : []));
    expect(loans.length).toBeGreaterThan(0);
    expect(loans.length).toBeLessThanOrEqual(2);
    for (const loan of loans) expect(loan.principalUsd8).toBeGreaterThanOrEqual(usd8Of(1_000_000));
  });

  it("model-driven lending prices the same RFQs with the valuation model, and needs the model", async () => {
    const run = (lending: "rule" | "model-driven") =>
      runEngine({
        scenario: loadScenario(DEMO),
        policy: createBuiltinPolicy({
          negotiation: true,
          derisking: false,
          lending,
          ...(lending === "model-driven" ? { valuationModel: readValuationFile(VALUATION_WEIGHTS) } : {}),
        }),
      });
    const rule = await run("rule");
    const driven = await run("model-driven");
    const asked = (r: typeof rule) =>
      r.events.filter((e) => e.type === "loan" || e.type === "no-deal").length;
    // The same borrowers ask, and the model-driven lenders lend (before the distribution-shift
    // fix they stayed out of every demo RFQ: models/valuation/README.md).
    expect(asked(driven)).toBeGreaterThan(0);
    expect(driven.events.filter((e) => e.type === "loan").length).toBeGreaterThan(0);
    expect(rule.events.filter((e) => e.type === "loan").length).toBeGreaterThan(0);
    await expect(
      runEngine({
        scenario: loadScenario(DEMO),
        policy: createBuiltinPolicy({ negotiation: true, derisking: false, lending: "model-driven" }),
      }),
    ).rejects.toThrow(/needs a valuationModel/);
  });
});
