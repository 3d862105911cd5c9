import { describe, expect, it } from "vitest";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { runEngine } from "../engine/run-engine.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { createProposalPolicy, defaultProposalDraws } from "./proposal-policy.ts";

const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: "bootstrap" });

describe("loan dataset proposals drawn from the study's RFQs", () => {
  it("proposes only what the builtin borrower would ask: its tenors, no random terms", async () => {
    const study = createProposalPolicy({ ...defaultProposalDraws, source: "study" });
    await runEngine({ scenario, seed: 1, policy: study });
    expect(study.loans.length).toBeGreaterThan(0);
    for (const loan of study.loans) expect([24, 336]).toContain(loan.observation.tenorHours);

    const random = createProposalPolicy({ ...defaultProposalDraws, source: "random" });
    await runEngine({ scenario, seed: 1, policy: random });
    for (const loan of random.loans) {
      expect([6, 12, 24, 48]).toContain(loan.observation.tenorHours);
      expect(loan.observation.maxRateBps).toBeLessThanOrEqual(5000);
    }
  }, 120_000);
});
