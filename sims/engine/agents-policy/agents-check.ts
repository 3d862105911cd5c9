/**
 * A quick check that `npm run sim` shows: the demo played by the shipped agents and by the built-in
 * policy with negotiation and de-risking both on, seed by seed, with whether their decisions (every
 * policy event: loans, alerts, de-risking actions) and run totals agree, what the agents arranged,
 * and what each took (after an untimed warm-up). Runs settle on the in-process ledger, so the check
 * needs no chain and stays fast.
 */
import { loadScenario } from "../../scenarios/load-scenario.ts";
import type { Scenario } from "../../scenarios/scenario-schema.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../../scenarios/with-price-paths.ts";
import { createBuiltinPolicy } from "../builtin-policy.ts";
import { DEFAULT_SCENARIO } from "../run-contagion-study.ts";
import { runEngine } from "../run-engine.ts";
import { createAgentsPolicy } from "./agents-policy.ts";

export type AgentsCheck = {
  scenario: string;
  seeds: number[];
  /** Seeds on which every event and total agreed. */
  same: number;
  loans: number;
  loansUsd: number;
  /** Alerts the agents' quorums raised or let lapse, and the de-risking actions they applied. */
  alerts: number;
  deriskActions: number;
  /** Wire messages the agents exchanged. */
  messages: number;
  builtinMs: number;
  agentsMs: number;
};

/** Both halves of the agents' work: negotiation and de-risking. */
const MODE = { negotiation: true, derisking: true } as const;

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? v.toString() : v));

export async function checkAgents(
  o: { scenario?: Scenario | undefined; seeds?: readonly number[] | undefined } = {},
): Promise<AgentsCheck> {
  const scenario = withPricePaths({
    scenario: o.scenario ?? loadScenario(DEFAULT_SCENARIO),
    paths: STUDY_PRICE_PATHS,
  });
  const seeds = [...(o.seeds ?? [1, 2, 3])];
  const check: AgentsCheck = {
    scenario: scenario.name,
    seeds,
    same: 0,
    loans: 0,
    loansUsd: 0,
    alerts: 0,
    deriskActions: 0,
    messages: 0,
    builtinMs: 0,
    agentsMs: 0,
  };
  // One untimed run of each first: the agents' code is loaded and compiled on its first use.
  for (const policy of [createBuiltinPolicy(MODE), createAgentsPolicy(MODE)])
    await runEngine({ scenario, seed: seeds[0] ?? 1, policy });
  for (const seed of seeds) {
    let t = performance.now();
    const fast = await runEngine({
      scenario,
      seed,
      policy: createBuiltinPolicy(MODE),
    });
    check.builtinMs += performance.now() - t;
    t = performance.now();
    const policy = createAgentsPolicy(MODE);
    const real = await runEngine({ scenario, seed, policy });
    check.agentsMs += performance.now() - t;
    check.messages += policy.transcript().messages;
    if (json(real.events) === json(fast.events) && json(real.totals) === json(fast.totals)) check.same++;
    for (const e of real.events) {
      if (e.type === "alert") check.alerts++;
      if (e.type === "derisk") check.deriskActions++;
      if (e.type !== "loan") continue;
      check.loans++;
      check.loansUsd += Number(e.principalUsd8) / 1e8;
    }
  }
  return check;
}

export function agentsCheckLines(c: AgentsCheck): string[] {
  const usd = `$${(c.loansUsd / 1e6).toFixed(2)}M`;
  return [
    `Real agents (--policy agents) on ${c.scenario}, negotiation and de-risking, seeds ${c.seeds.join(",")}: ${c.loans} loans (${usd}), ${c.alerts} alert changes by quorum, ${c.deriskActions} de-risking actions, over ${c.messages} signed wire messages`,
    `  same decisions and totals as the built-in policy on ${c.same}/${c.seeds.length} seeds; ` +
      `${(c.agentsMs / 1000).toFixed(1)} s against ${(c.builtinMs / 1000).toFixed(1)} s (${(c.agentsMs / Math.max(1, c.builtinMs)).toFixed(1)}x)`,
  ];
}
