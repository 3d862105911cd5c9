import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { createBuiltinPolicy } from "./builtin-policy.ts";
import { runEngine } from "./run-engine.ts";

const DEMO = fileURLToPath(new URL("./scenarios/contagion-demo.json", import.meta.url));

describe("the float solvency screen", () => {
  // The optimisation behind per-step clearing at a thousand protocols: clearing exactly only when
  // the screen finds a protocol at or near a default or its halt threshold. Guarded against the
  // slow, obvious version: exact clearing every step.
  it.each([
    DEMO,
    "june-2022-steth-discount",
    "march-2020-black-thursday",
    "march-2023-usdc-depeg",
    "may-2022-terra",
    "november-2022-ftx",
    "synthetic-shock",
  ])("gives the same run as exact clearing every step: %s", async (name) => {
    const scenario = loadScenario(name);
    for (const mode of [
      { negotiation: false, derisking: false },
      { negotiation: true, derisking: true },
    ]) {
      const run = (exactClearingEveryStep: boolean) =>
        runEngine({
          scenario,
          seed: 2,
          options: { positionsPerLending: 80, tradersPerSide: 10, exactClearingEveryStep },
          policy: createBuiltinPolicy(mode),
        });
      const screened = await run(false);
      const exact = await run(true);
      expect(screened).toEqual(exact);
    }
  });
});
