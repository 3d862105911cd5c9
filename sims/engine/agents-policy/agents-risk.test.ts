/**
 * The differential test of the agents' de-risking (issue 13): with de-risking on, the shipped risk
 * agents (agents-risk.ts: signed snapshots, proposals and votes on the bus, each loop's own hold,
 * renewal, posting and expiry) and the built-in policy (derisk-coordination.ts) raise, renew and
 * lapse the same alerts, apply the same actions to the same protocols in the same order, and end
 * with the same run. Scenarios where the alert rises to level 2, falls back to 1 when level 2
 * lapses, and clears; with negotiation on as well.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../scenarios/load-scenario.ts";
import { withPricePaths } from "../../scenarios/with-price-paths.ts";
import { type BuiltinPolicyParameters, createBuiltinPolicy } from "../builtin-policy.ts";
import { DEFAULT_SCENARIO } from "../run-contagion-study.ts";
import { runEngine } from "../run-engine.ts";
import { createAgentsPolicy } from "./agents-policy.ts";
import { AgentsRiskUnsupportedError } from "./agents-risk.ts";

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? v.toString() : v));

async function runBoth(name: string, seed: number, flags: Partial<BuiltinPolicyParameters>) {
  const scenario = withPricePaths({ scenario: loadScenario(name), paths: "bootstrap" });
  const p = { negotiation: false, derisking: true, ...flags };
  const builtin = await runEngine({ scenario, seed, policy: createBuiltinPolicy(p) });
  const policy = createAgentsPolicy({ ...p, keepWire: true });
  const agents = await runEngine({ scenario, seed, policy });
  await policy.close();
  return { builtin, agents, wire: policy.transcript() };
}

describe("the built-in de-risking is what the real agents' risk loops do", () => {
  it("Black Thursday, seed 1: level 1, level 2, level 2 lapses back to 1, level 2 again", async () => {
    const { builtin, agents, wire } = await runBoth("march-2020-black-thursday", 1, {});
    const alerts = builtin.events.filter((e) => e.type === "alert").map((e) => e.level);
    expect(alerts).toEqual([1, 2, 1, 2]);
    expect(json(agents.events)).toBe(json(builtin.events));
    expect(json(agents.totals)).toBe(json(builtin.totals));
    // The alerts came from signed proposals and votes on the risk subjects.
    expect(wire.lines.some((l) => /\.risk\.\d+\.alert /.test(l))).toBe(true);
  }, 120_000);

  it("the synthetic shock, seed 1: every raise, renewal and release, action by action", async () => {
    const { builtin, agents } = await runBoth("synthetic-shock", 1, {});
    expect(builtin.events.filter((e) => e.type === "derisk").length).toBeGreaterThan(10);
    expect(builtin.events.some((e) => e.type === "derisk" && e.action.startsWith("release"))).toBe(true);
    expect(json(agents.events)).toBe(json(builtin.events));
    expect(json(agents.totals)).toBe(json(builtin.totals));
  }, 120_000);

  it("Terra, seed 2, and the demo with negotiation too (mode both): the same run", async () => {
    const terra = await runBoth("may-2022-terra", 2, {});
    expect(json(terra.agents.events)).toBe(json(terra.builtin.events));
    const demo = await runBoth(DEFAULT_SCENARIO, 1, { negotiation: true });
    expect(demo.builtin.events.some((e) => e.type === "alert")).toBe(true);
    expect(json(demo.agents.events)).toBe(json(demo.builtin.events));
    expect(json(demo.agents.totals)).toBe(json(demo.builtin.totals));
  }, 180_000);

  it("the demo, seed 4, mode both: a margined loan topped up at the same step, under the same alerts", async () => {
    const { builtin, agents } = await runBoth(DEFAULT_SCENARIO, 4, { negotiation: true });
    expect(builtin.events.filter((e) => e.type === "topped-up").map((e) => e.step)).toEqual([26]);
    expect(builtin.events.some((e) => e.type === "alert")).toBe(true);
    expect(json(agents.events)).toBe(json(builtin.events));
    expect(json(agents.totals)).toBe(json(builtin.totals));
  }, 120_000);

  it("the synthetic shock, seed 3, mode both: a settlement the ledger refuses under an alert is given up at once, as on chain", async () => {
    const { builtin, agents } = await runBoth("synthetic-shock", 3, { negotiation: true });
    const refused = builtin.events.filter(
      (e) => e.type === "no-deal" && e.reason === "ThresholdBelowOpeningLtv",
    );
    expect(refused.map((e) => e.step)).toEqual([66, 67]);
    expect(json(agents.events)).toBe(json(builtin.events));
    expect(json(agents.totals)).toBe(json(builtin.totals));
  }, 120_000);

  it("refuses the herding study's built-in variants with a message that names them", async () => {
    const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: "bootstrap" });
    const policy = createAgentsPolicy({ negotiation: false, derisking: true, paceHours: 6 });
    await expect(runEngine({ scenario, seed: 1, policy })).rejects.toThrow(AgentsRiskUnsupportedError);
  });
});
