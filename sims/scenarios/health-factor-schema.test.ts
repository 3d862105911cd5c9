import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseScenario, SCENARIO_LIBRARY_DIR } from "./load-scenario.ts";

const may2021 = () => JSON.parse(readFileSync(`${SCENARIO_LIBRARY_DIR}may-2021-deleveraging.json`, "utf8"));

describe("initialHealthFactor", () => {
  it("takes the fitted lognormal excess or the old normal", () => {
    const fitted = parseScenario(may2021());
    const aave = fitted.protocols.find((p) => p.id === "aave-v2");
    expect(aave?.kind === "lending" && aave.initialHealthFactor).toMatchObject({
      distribution: "lognormal-excess",
    });
    const json = may2021();
    json.protocols[0].initialHealthFactor = { mean: 1.6, std: 0.4 };
    const normal = parseScenario(json);
    expect(normal.protocols[0]!.kind === "lending" && normal.protocols[0]!.initialHealthFactor).toEqual({
      mean: 1.6,
      std: 0.4,
    });
  });

  it("names the field when the fitted form has no source or a negative sigma", () => {
    const json = may2021();
    json.protocols[0].initialHealthFactor = {
      distribution: "lognormal-excess",
      medianExcess: 4.71,
      sigma: -1,
    };
    expect(() => parseScenario(json)).toThrow(/protocols\[0\]\.initialHealthFactor/);
  });

  it("takes one per collateral reserve, and refuses it on a reserve that backs no position", () => {
    const json = may2021();
    const aave = parseScenario(json).protocols.find((p) => p.id === "aave-v2");
    const wbtc = aave?.kind === "lending" ? aave.reserves.find((r) => r.asset === "WBTC") : undefined;
    expect(wbtc?.initialHealthFactor).toMatchObject({ distribution: "lognormal-excess", medianExcess: 3.86 });
    const maker = json.protocols.findIndex((p: { id: string }) => p.id === "maker");
    json.protocols[maker].reserves[2].initialHealthFactor = {
      ...json.protocols[0].reserves[0].initialHealthFactor,
    };
    expect(() => parseScenario(json)).toThrow(
      /protocols\[2\]\.reserves\[2\]\.initialHealthFactor: is for a collateral reserve's borrower book/,
    );
  });
});
