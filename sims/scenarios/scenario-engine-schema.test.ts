import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listScenarios, loadScenario, parseScenario, SCENARIO_LIBRARY_DIR } from "./load-scenario.ts";
import { PROVENANCE_MESSAGE } from "./scenario-engine-schema.ts";
import { ScenarioValidationError } from "./scenario-errors.ts";

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

describe("every depth and size has a source or a stated assumption", () => {
  it.each(listScenarios())(
    "%s: every protocol, pool, cross-holding, run and outside market carries one",
    (name) => {
      const s = loadScenario(name);
      const has = (x: { source?: string | undefined; assumption?: string | undefined }) =>
        (x.source ?? x.assumption ?? "").length >= 10;
      for (const p of s.protocols) {
        if (p.kind === "amm")
          for (const pool of p.pools) expect(has(pool), `${name} ${p.id} ${pool.id}`).toBe(true);
        else expect(has(p), `${name} ${p.id}`).toBe(true);
      }
      for (const c of s.crossHoldings) expect(has(c)).toBe(true);
      for (const r of s.withdrawalRuns) expect(has(r)).toBe(true);
      for (const m of s.outsideMarkets) expect(has(m)).toBe(true);
    },
  );

  it("refuses a pool, a protocol, a holding or a run without one", () => {
    const json = raw("synthetic-shock");
    delete json.protocols[1].pools[0].assumption;
    delete json.protocols[0].assumption;
    delete json.crossHoldings[0].assumption;
    delete json.withdrawalRuns[0].assumption;
    expect(problems(json).sort()).toEqual(
      [
        `crossHoldings[0].source: ${PROVENANCE_MESSAGE}`,
        `protocols[0].source: ${PROVENANCE_MESSAGE}`,
        `protocols[1].pools[0].source: ${PROVENANCE_MESSAGE}`,
        `withdrawalRuns[0].source: ${PROVENANCE_MESSAGE}`,
      ].sort(),
    );
  });

  it("refuses both at once", () => {
    const json = raw("synthetic-shock");
    json.protocols[0].source = "a citation that also exists";
    expect(problems(json)).toEqual([
      'protocols[0].assumption: expected either "source" or "assumption", not both',
    ]);
  });
});

describe("no fallback pool", () => {
  it("refuses a scenario that would sell an asset with no outside market", () => {
    const json = raw("march-2023-usdc-depeg");
    json.outsideMarkets = json.outsideMarkets.filter((m: Json) => m.asset !== "ETH");
    expect(problems(json)).toEqual([
      expect.stringMatching(
        /^outsideMarkets: expected an entry for "ETH" \(sold by the engine, see protocols\[1\]\.reserves\[0\]\).*there is no fallback pool$/,
      ),
    ]);
  });

  it("asks for the arbitrage that ties a pooled asset to its outside market", () => {
    const json = raw("synthetic-shock");
    const eth = json.outsideMarkets.find((m: Json) => m.asset === "ETH");
    delete eth.arbitrage;
    expect(problems(json)).toEqual([
      expect.stringMatching(
        /^outsideMarkets\[0\]\.arbitrage: expected the arbitrage \(bandBps, capacityUsdPerHour\)/,
      ),
    ]);
  });

  it("names a bad depth or band", () => {
    const json = raw("synthetic-shock");
    json.outsideMarkets[0].depthUsd = -1;
    json.outsideMarkets[0].arbitrage.bandBps = 1.5;
    expect(problems(json).sort()).toEqual([
      "outsideMarkets[0].arbitrage.bandBps: expected a whole number of bps between 0 and 5000",
      "outsideMarkets[0].depthUsd: expected a positive number",
    ]);
  });

  it("names a duplicate outside market", () => {
    const json = raw("synthetic-shock");
    json.outsideMarkets.push({ ...json.outsideMarkets[1] });
    expect(problems(json)).toEqual([
      `outsideMarkets[${json.outsideMarkets.length - 1}].asset: duplicate outside market for "BTC"`,
    ]);
  });
});

describe("liquidation, oracle, e-mode and distress sections", () => {
  it("checks e-mode categories like collateral parameters", () => {
    const json = raw("synthetic-shock");
    json.protocols[0].emode[0].ltv = 0.95;
    json.protocols[0].emode[0].assets.push("WETH");
    expect(problems(json).sort()).toEqual(
      [
        'protocols[0].emode[0].assets[2]: unknown asset "WETH"; declared assets: ETH, BTC, ALT, sETH, USDC',
        "protocols[0].emode[0].ltv: is 0.95, above the liquidation threshold 0.93",
      ].sort(),
    );
  });

  it("reads auction styles, oracles and distress rules, with defaults", () => {
    const black = loadScenario("march-2020-black-thursday");
    const maker = black.protocols[0]!;
    if (maker.kind !== "lending" || maker.liquidation.mechanism !== "auction")
      throw new Error("expected an auction");
    expect(maker.liquidation).toMatchObject({ style: "english", noKeeperShare: 0.36, startBuffer: 1.2 });
    expect(maker.distress?.haltBelowEquityShare).toBeNull();
    const usdc = loadScenario("march-2023-usdc-depeg");
    const aave = usdc.protocols.find((p) => p.id === "aave-v2");
    if (aave?.kind !== "lending") throw new Error("expected aave-v2");
    expect(aave.oracle).toMatchObject({ deviation: 0.01, heartbeatHours: 24, feeds: [] });
    const json = raw("synthetic-shock");
    json.distress = { vault: { haltAboveUnpaidShare: 2, assumption: "too short" } };
    expect(problems(json).sort()).toEqual(
      [
        "distress.vault.assumption: expected a stated assumption (at least 10 characters)",
        "distress.vault.haltAboveUnpaidShare: expected a number above 0 and at most 1",
      ].sort(),
    );
  });
});
