/**
 * `npx tsx sims/engine/agents-policy/differential-sweep.ts`: the built-in policy against the real
 * agents on every named scenario, the demo and the margins study (margin-gap), seeds 1-4, one-day and two-hour loans, de-risking
 * alone and with negotiation (margins on): how many runs give the same events and totals, and
 * which do not. The test (agents-risk.test.ts) holds a few of them; this is the wide check.
 */
import { listScenarios, loadScenario } from "../../scenarios/load-scenario.ts";
import { withPricePaths } from "../../scenarios/with-price-paths.ts";
import { createBuiltinPolicy } from "../builtin-policy.ts";
import { DEFAULT_SCENARIO, MARGIN_GAP_SCENARIO } from "../run-contagion-study.ts";
import { runEngine } from "../run-engine.ts";
import { createAgentsPolicy } from "./agents-policy.ts";

const SCENARIOS = [DEFAULT_SCENARIO, MARGIN_GAP_SCENARIO, ...listScenarios()];
const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? v.toString() : v));

let runs = 0;
let equal = 0;
let alerts = 0;
let toppedUp = 0;
const differing: string[] = [];
for (const name of SCENARIOS) {
  const scenario = withPricePaths({ scenario: loadScenario(name), paths: "bootstrap" });
  for (const seed of [1, 2, 3, 4])
    for (const tenorHours of [24, 2])
      for (const negotiation of [false, true]) {
        const flags = { negotiation, derisking: true, tenorHours, illiquidTenorHours: tenorHours * 2 };
        const builtin = await runEngine({ scenario, seed, policy: createBuiltinPolicy(flags) });
        const agents = await runEngine({ scenario, seed, policy: createAgentsPolicy(flags) });
        runs++;
        alerts += builtin.events.filter((e) => e.type === "alert").length;
        toppedUp += builtin.events.filter((e) => e.type === "topped-up").length;
        if (json(agents.events) === json(builtin.events) && json(agents.totals) === json(builtin.totals))
          equal++;
        else
          differing.push(
            `${name} seed ${seed}, ${tenorHours} h loans, ${negotiation ? "both" : "derisking"}`,
          );
        process.stderr.write(`\r${runs} runs`);
      }
}
process.stdout.write(
  `\nsame events and totals in ${equal}/${runs} runs (built-in: ${alerts} alert changes, ${toppedUp} top-ups)\n`,
);
for (const d of differing) process.stdout.write(`  differs: ${d}\n`);
