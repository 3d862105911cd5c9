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
    for (const loan of study.loans) {
      expect([24, 336]).toContain(loan.observation.tenorHours);
      expect(loan.source).toBe("study");
    }
    // Every study loan gets a label: resolved in the run or marked at its end (none left open
    // except those proposed in the very last step).
    expect(study.loans.filter((l) => l.outcome === undefined).length).toBeLessThanOrEqual(1);

    const random = createProposalPolicy({ ...defaultProposalDraws, source: "random" });
    await runEngine({ scenario, seed: 1, policy: random });
    for (const loan of random.loans) {
      expect(defaultProposalDraws.tenorHours).toContain(loan.observation.tenorHours);
      expect(loan.observation.maxRateBps).toBeLessThanOrEqual(8000);
      expect(loan.source).toBe("random");
    }
  }, 120_000);
});
