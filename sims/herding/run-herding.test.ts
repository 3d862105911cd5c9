/** The herding study on the demo scenario: measured against agents off on the same seeds. */
import { describe, expect, it } from "vitest";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../scenarios/with-price-paths.ts";
import { herdingText, renderHerdingHtml } from "./herding-page.ts";
import { runHerdingStudy, synchrony } from "./run-herding.ts";

describe("herding study", () => {
  it("synchrony is the largest share of de-risking protocols tightening in one step", () => {
    const tighten = (step: number, protocol: string) => ({
      type: "derisk" as const,
      step,
      protocol,
      action: "tighten 300 bps",
    });
    expect(synchrony({ events: [] })).toEqual({ synchrony: 0, protocols: 0 });
    expect(synchrony({ events: [tighten(3, "a"), tighten(3, "b"), tighten(3, "c")] }).synchrony).toBe(1);
    expect(
      synchrony({ events: [tighten(3, "a"), tighten(5, "b"), tighten(9, "c"), tighten(9, "a")] }).synchrony,
    ).toBeCloseTo(2 / 3);
  });

  it("compares each variant with agents off: a quorum acts in unison, diverse thresholds do not", async () => {
    const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: STUDY_PRICE_PATHS });
    const study = await runHerdingStudy({ scenario, seeds: [1, 2, 3, 4] });
    const by = new Map(study.summary.map((s) => [s.variant, s]));
    expect(by.get("off")).toMatchObject({ extraLiquidationsUsd: 0, priceImpact: 0, runsDerisked: 0 });
    // One alert for all: every protocol that tightens does so in the same step.
    expect(by.get("quorum")!.synchrony).toBe(1);
    // Spread thresholds stagger the protocols' own decisions.
    expect(by.get("diverse")!.synchrony).toBeLessThan(by.get("unison")!.synchrony);
    // Pacing the action (tightening in parts over 12 h) liquidates less than tightening at once.
    expect(by.get("unison-paced")!.extraLiquidationsUsd).toBeLessThan(by.get("unison")!.extraLiquidationsUsd);
    // Agents on the learned model act on their own protocol's risk, not on one shared price
    // trigger: they de-risk less in unison than the drawdown rule. Members of the ensemble (diverse
    // seeds) disagree with the ensemble, so the diverse variant is a different run.
    const shared = by.get("model-shared")!;
    const diverse = by.get("model-diverse")!;
    expect(shared.runsDerisked).toBeGreaterThan(0);
    expect(shared.synchrony).toBeLessThan(by.get("unison")!.synchrony);
    expect(diverse.extraLiquidationsUsd).not.toBe(shared.extraLiquidationsUsd);
    expect(herdingText(study)).toContain("unison-capped");
    expect(herdingText(study)).toContain("model-diverse");
    const html = await renderHerdingHtml(study, "2026-12-04T00:00:00Z");
    expect(html).toContain('data-chart="herding"');
    expect(html).toContain("<svg");
  });
});
