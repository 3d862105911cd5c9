/**
 * Negotiated loans liquidated in a study (issue 15): in the margin-gap scenario a fund borrows USDC
 * against ETH during a run, on a margin sized to a one-hour 99% fall, and ETH then falls 20.6% in
 * one step (its largest hourly fall in the data). The lender's agent liquidates at that step,
 * before the borrower can top up, and the collateral no longer covers the debt plus the bonus: part
 * of the loan stays owed, unsecured. The real agents do the same as the built-in policy, and the
 * study counts the liquidation on the ledger and on the contract.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { createAgentsPolicy } from "./agents-policy/agents-policy.ts";
import { createBuiltinPolicy } from "./builtin-policy.ts";
import { MARGIN_GAP_SCENARIO, runContagionStudy } from "./run-contagion-study.ts";
import { runEngine } from "./run-engine.ts";

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === "bigint" ? v.toString() : v));
const GAP_STEP = 12; // the scenario's shock: ETH -20.6% at hour 12, one-hour steps

describe("a negotiated loan liquidated through a one-hour gap", () => {
  it("seed 1: lent at the run, liquidated at the gap with debt left over; the real agents agree", async () => {
    const scenario = withPricePaths({ scenario: loadScenario(MARGIN_GAP_SCENARIO), paths: "bootstrap" });
    const flags = { negotiation: true, derisking: false };
    const builtin = await runEngine({ scenario, seed: 1, policy: createBuiltinPolicy(flags) });
    const loan = builtin.events.find((e) => e.type === "loan");
    expect(loan).toMatchObject({ borrower: "fund", lender: "lender", asset: "USDC" });
    expect(loan!.step).toBeLessThan(GAP_STEP);
    const liquidated = builtin.events.filter((e) => e.type === "liquidated");
    expect(liquidated).toHaveLength(1);
    const [l] = liquidated;
    if (l?.type !== "liquidated") throw new Error("expected a liquidation");
    expect(l.step).toBe(GAP_STEP);
    // Not topped up first: the price went through the top-up line and the threshold in one step.
    // The borrower's top-up, decided on the same look as the lender's liquidation, lands after it.
    expect(builtin.events.filter((e) => e.type === "topped-up").map((e) => e.step)).toEqual([GAP_STEP]);
    // The seized collateral (bonus included) no longer covers the whole debt.
    expect(l.closed).toBe(false);
    expect(l.repaidUsd8).toBeLessThan(loan!.type === "loan" ? loan!.principalUsd8 : 0n);
    expect(l.seizedUsd8).toBeGreaterThan(l.repaidUsd8);

    const policy = createAgentsPolicy(flags);
    const agents = await runEngine({ scenario, seed: 1, policy });
    await policy.close();
    expect(json(agents.events)).toBe(json(builtin.events));
    expect(json(agents.totals)).toBe(json(builtin.totals));
  }, 120_000);

  it("the study counts it, on the ledger and on the contract (anvil)", async () => {
    for (const settlement of ["ledger", "chain"] as const) {
      const { study } = await runContagionStudy({
        scenario: MARGIN_GAP_SCENARIO,
        seeds: [1, 2],
        modes: ["off", "negotiation"],
        settlement,
      });
      const byMode = (m: string) => study.records.filter((r) => r.mode === m);
      expect(byMode("negotiation").map((r) => r.loansLiquidated)).toEqual([1, 1]);
      expect(byMode("off").map((r) => r.loansLiquidated)).toEqual([0, 0]);
      const summary = study.summaries.find((s) => s.mode === "negotiation");
      expect(summary?.metrics.loansLiquidated.mean.value).toBe(1);
    }
  }, 180_000);
});
