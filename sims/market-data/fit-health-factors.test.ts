import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { liquidatedShare, SEIZED_SHARE } from "./fit-health-factors.ts";

const fitted = JSON.parse(readFileSync(new URL("./fitted/health-factors.json", import.meta.url), "utf8"));

describe("health-factor fit", () => {
  it("models a share that grows with the fall, from 0 to the seized share", () => {
    expect(liquidatedShare(0, 4.71, 1.25)).toBe(0);
    let last = 0;
    for (const fall of [0.05, 0.1, 0.2, 0.4, 0.6, 0.9]) {
      const s = liquidatedShare(fall, 4.71, 1.25);
      expect(s).toBeGreaterThan(last);
      last = s;
    }
    expect(liquidatedShare(0.999, 4.71, 0.1)).toBeCloseTo(SEIZED_SHARE, 6);
  });

  // may-2021 uses only pre-event fits (fit-pre-event-health.test.ts); this one, fitted on 2021, is
  // carried back to March 2020 only, where no earlier data exist.
  it("is what march-2020's lenders use", () => {
    for (const name of ["march-2020-black-thursday"]) {
      const lenders = loadScenario(name).protocols.filter((p) => p.kind === "lending");
      expect(lenders.length).toBeGreaterThan(0);
      for (const p of lenders)
        expect(p.kind === "lending" && p.initialHealthFactor, `${name} ${p.id}`).toMatchObject({
          distribution: "lognormal-excess",
          medianExcess: fitted.medianExcess,
          sigma: fitted.sigma,
        });
    }
  });
});
