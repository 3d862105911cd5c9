/** The scenario schema's `market` section and `market` paths: what is accepted, what is refused. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario, SCENARIO_LIBRARY_DIR } from "./load-scenario.ts";
import { ScenarioValidationError } from "./scenario-errors.ts";
import { withPricePaths } from "./with-price-paths.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary JSON on purpose
type Json = Record<string, any>;
const raw = (name: string): Json =>
  JSON.parse(readFileSync(join(SCENARIO_LIBRARY_DIR, `${name}.json`), "utf8"));

function problems(json: unknown): string[] {
  try {
    parseScenario(json, "test");
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioValidationError);
    return (err as ScenarioValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the scenario to be rejected");
}

describe("market section and market paths", () => {
  it("defaults to replaying the window", () => {
    const s = parseScenario(raw("june-2022-steth-discount"));
    expect(s.market).toEqual({ window: "june-2022-steth-discount", paths: "replay" });
    expect(withPricePaths({ scenario: s, paths: "fitted" }).market?.paths).toBe("fitted");
    const synthetic = parseScenario(raw("synthetic-shock"));
    expect(withPricePaths({ scenario: synthetic, paths: "bootstrap" })).toBe(synthetic);
  });

  it("refuses a market path without a market section", () => {
    const j = raw("june-2022-steth-discount");
    delete j.market;
    expect(problems(j)).toContain(
      "assets[0].path: a market path needs the scenario's market section (which window to replay)",
    );
  });

  it("names an unknown window, sample or mode with the choices", () => {
    const j = raw("june-2022-steth-discount");
    j.market = { window: "june-2021", paths: "random" };
    const p = problems(j);
    expect(
      p.some((x) => /^market.window: expected a market window: march-2020-black-thursday, /.test(x)),
    ).toBe(true);
    expect(p).toContain("market.paths: expected paths to be one of: replay, bootstrap, fitted");
    j.market = { window: "june-2022-steth-discount", sample: "all-of-them" };
    expect(problems(j).some((x) => x.startsWith("market.sample: expected a market sample: "))).toBe(true);
  });

  it("refuses a series the window does not have, and lists those it has", () => {
    const j = raw("june-2022-steth-discount");
    j.assets[2].path.series = "UST";
    expect(problems(j)).toContain(
      'assets[2].path.series: "UST" is not in market window june-2022-steth-discount; it has ETH, BTC, USDC, DAI, USDT, stETH/ETH',
    );
  });

  it("refuses a sample that lacks a series the scenario uses", () => {
    const j = raw("may-2022-terra");
    j.market.sample = "crises-2022";
    expect(problems(j)).toContain(
      'market.sample: crises-2022 has no "UST" (used by assets[0]); it has ETH, BTC, USDC, DAI, USDT, stETH/ETH',
    );
  });

  it("needs a base for a ratio series and refuses one for a USD price", () => {
    const j = raw("june-2022-steth-discount");
    delete j.assets[1].path.base;
    j.assets[2].path.base = "ETH";
    const p = problems(j);
    expect(p).toContain(
      'assets[1].path.base: "stETH/ETH" is a ratio series; expected the base asset it is quoted in',
    );
    expect(p).toContain('assets[2].path.base: "USDC" is a USD price, not a ratio; remove base');
  });

  it("needs the base of a ratio series to follow a market USD price", () => {
    const j = raw("june-2022-steth-discount");
    j.assets[0].path = { model: "constant" };
    expect(problems(j)).toContain('assets[1].path.base: "ETH" must itself follow a market USD price series');
  });

  it("refuses intra-hour lows on an hourly grid or a window that ships none", () => {
    const j = raw("may-2021-deleveraging");
    j.time.stepHours = 1;
    expect(problems(j)).toContain(
      "market.intrahourLows: needs a grid finer than an hour to place the lows between the closes (time.stepHours is 1)",
    );
    const june = raw("june-2022-steth-discount");
    june.market.intrahourLows = true;
    june.time.stepHours = 0.5;
    expect(problems(june)).toContain(
      "market.intrahourLows: market window june-2022-steth-discount ships no candle lows",
    );
  });

  it("refuses a horizon longer than the window", () => {
    const j = raw("may-2021-deleveraging");
    j.time.horizonHours = 72;
    expect(problems(j)).toContain(
      "time.horizonHours: is 72 h, longer than the market window may-2021-deleveraging (48 h)",
    );
  });
});
