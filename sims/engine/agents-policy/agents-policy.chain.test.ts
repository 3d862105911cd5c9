/**
 * The real agents settling on the LiquidityArbiter on anvil (the study default): every call of the
 * agents' settlement ports is a real JSON-RPC round trip, so a step ends on the agents' state, not
 * on a quiet bus alone. The agents' run must equal the built-in policy's on the same chain: the
 * same events and totals, the loan settled and its default claimed by transactions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../scenarios/load-scenario.ts";
import { withPricePaths } from "../../scenarios/with-price-paths.ts";
import { type ChainBackend, createChainBackend } from "../../settlement/chain-backend.ts";
import { createBuiltinPolicy } from "../builtin-policy.ts";
import { DEFAULT_SCENARIO } from "../run-contagion-study.ts";
import { runEngine } from "../run-engine.ts";
import { createAgentsPolicy } from "./agents-policy.ts";

let chain: ChainBackend;
beforeAll(async () => {
  chain = await createChainBackend();
}, 30_000);
afterAll(async () => {
  await chain?.close();
});

describe("the real agents on the chain", () => {
  it("the demo, seed 1, short tenors: the same loan and default claim as the built-in policy, by transactions", async () => {
    const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: "bootstrap" });
    const flags = { negotiation: true, derisking: false, tenorHours: 6, illiquidTenorHours: 12 };
    const run = async (policy: Parameters<typeof runEngine>[0]["policy"]) => {
      const before = chain.stats();
      const r = await runEngine({ scenario, seed: 1, policy, settlement: chain });
      const after = chain.stats();
      return {
        events: r.events,
        totals: r.totals,
        settled: after.settle - before.settle,
        claimed: after.claimDefault - before.claimDefault,
      };
    };
    const builtin = await run(createBuiltinPolicy(flags));
    const agents = await run(createAgentsPolicy(flags));
    expect(builtin.events.map((e) => e.type)).toEqual(["loan", "defaulted"]);
    expect(agents.events).toEqual(builtin.events);
    expect(agents.totals).toEqual(builtin.totals);
    expect(agents.settled).toBe(1);
    expect(agents.claimed).toBe(1);
  }, 180_000);
});
