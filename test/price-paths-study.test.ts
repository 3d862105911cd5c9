/**
 * Issue 11 item 2, across modules: in a study, seeds vary the prices of scenarios built on real
 * data (they used to redraw only the borrower book, so 20 seeds gave near-zero-width intervals),
 * each seed reproduces bit for bit, and --paths replay still gives the real window to every seed.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../sims/engine/cli.ts";
import { runContagionStudy } from "../sims/engine/run-contagion-study.ts";
import { runEngine } from "../sims/engine/run-engine.ts";
import { loadScenario } from "../sims/scenarios/load-scenario.ts";
import { scenarioPricePaths } from "../sims/scenarios/scenario-price-paths.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../sims/scenarios/with-price-paths.ts";

const DEMO = fileURLToPath(new URL("../sims/engine/scenarios/contagion-demo.json", import.meta.url));
const options = { positionsPerLending: 200 };

describe("price paths in studies", () => {
  it("the study default draws seeded paths; --paths chooses; a bad value is a plain usage error", () => {
    expect(STUDY_PRICE_PATHS).toBe("bootstrap");
    expect(parseCliArgs([]).paths).toBe("bootstrap");
    expect(parseCliArgs(["--paths", "replay"]).paths).toBe("replay");
    expect(parseCliArgs(["--paths=fitted"]).paths).toBe("fitted");
    expect(() => parseCliArgs(["--paths", "random"])).toThrow(
      '--paths: expected replay, bootstrap, fitted, got "random"',
    );
  });

  it.each(["may-2021-deleveraging", "june-2022-steth-discount", "march-2023-usdc-depeg", DEMO])(
    "%s: under the study default every seed gets another outside-market path, and the same seed the same run",
    async (name) => {
      const scenario = withPricePaths({ scenario: loadScenario(name), paths: STUDY_PRICE_PATHS });
      // The outside market the engine reads (buildWorld calls scenarioPricePaths with the run's
      // seed); the engine's own prices also move with fire sales, which vary with the borrowers.
      const path = (seed: number) => scenarioPricePaths({ scenario, seed }).prices;
      expect(path(2).get("ETH")).not.toEqual(path(1).get("ETH"));
      for (const [sym, p] of path(1)) {
        const asset = scenario.assets.find((a) => a.symbol === sym)!;
        if (asset.path.model === "market") expect(path(2).get(sym), sym).not.toEqual(p);
        expect(path(1).get(sym), sym).toEqual(p);
      }
      const a = await runEngine({ scenario, seed: 1, options });
      const again = await runEngine({ scenario, seed: 1, options });
      expect(again.totals).toEqual(a.totals);
      expect(again.series.prices).toEqual(a.series.prices);
    },
  );

  it("--paths replay gives every seed the real window", async () => {
    const scenario = withPricePaths({ scenario: loadScenario("may-2021-deleveraging"), paths: "replay" });
    const a = await runEngine({ scenario, seed: 1, options: { ...options, positionsPerLending: 1 } });
    const b = await runEngine({ scenario, seed: 2, options: { ...options, positionsPerLending: 1 } });
    // With one borrower per market, fire sales can still move venue prices; the paths themselves
    // are the window: compare the first step, before anything has been sold.
    expect(b.series.prices.map((p) => p[0])).toEqual(a.series.prices.map((p) => p[0]));
    expect(a.series.prices[a.assets.indexOf("ETH")]![0]).toBe(3375.07);
  });

  it("a study records which price paths it used", async () => {
    const { study } = await runContagionStudy({
      scenario: DEMO,
      seeds: [1, 2],
      modes: ["off"],
      engine: options,
      settlement: "ledger",
    });
    expect(study.scenario.pricePaths).toBe("bootstrap");
    const replay = await runContagionStudy({
      scenario: DEMO,
      seeds: [1, 2],
      modes: ["off"],
      engine: options,
      settlement: "ledger",
      paths: "replay",
    });
    expect(replay.study.scenario.pricePaths).toBe("replay");
    // Seeds differ in prices under the bootstrap, so their liquidations differ.
    const [r1, r2] = study.records;
    expect(r1!.liquidationUsd).not.toBe(r2!.liquidationUsd);
  });
});
