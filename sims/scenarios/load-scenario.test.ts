import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  formatPath,
  listScenarios,
  loadScenario,
  parseScenario,
  SCENARIO_LIBRARY_DIR,
} from "./load-scenario.ts";
import { ScenarioFileError, ScenarioNotFoundError, ScenarioValidationError } from "./scenario-errors.ts";

const SHIPPED = [
  "june-2022-steth-discount",
  "march-2020-black-thursday",
  "march-2023-usdc-depeg",
  "may-2021-deleveraging",
  "may-2022-terra",
  "november-2022-ftx",
  "synthetic-shock",
];

const scratch = mkdtempSync(join(tmpdir(), "scenario-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Loosely typed JSON, so tests can break any field. */
// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary JSON on purpose
type Json = Record<string, any>;

/** A fresh, mutable copy of a shipped file's JSON. */
const raw = (name: string): Json =>
  JSON.parse(readFileSync(join(SCENARIO_LIBRARY_DIR, `${name}.json`), "utf8"));

/** The issues parseScenario reports for `json`, as "path: message" lines. */
function problems(json: unknown): string[] {
  try {
    parseScenario(json, "test");
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioValidationError);
    return (err as ScenarioValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the scenario to be rejected");
}

describe("the scenario library", () => {
  it("ships the named episodes and the synthetic shock", () => {
    expect(listScenarios()).toEqual(SHIPPED);
  });

  it.each(SHIPPED)("%s validates, is named after its file, and cites its sources", (name) => {
    const s = loadScenario(name);
    expect(s.v).toBe(1);
    expect(s.name).toBe(name);
    expect(s.source.length).toBeGreaterThan(40);
    expect(s.notes.length).toBeGreaterThan(100);
    if (s.kind === "historical") expect(s.episode).toBeDefined();
  });

  it("converts token amounts to base units with each asset's decimals", () => {
    const march2020 = loadScenario("march-2020-black-thursday");
    const maker = march2020.protocols.find((p) => p.id === "maker");
    if (maker?.kind !== "lending") throw new Error("expected maker to be a lending protocol");
    expect(maker.reserves[0]!.supplied).toBe(2_100_000n * 10n ** 18n);
    expect(maker.reserves[1]!.borrowed).toBe(100_000_000n * 10n ** 18n);
    const usdc = loadScenario("march-2023-usdc-depeg").protocols.find((p) => p.id === "circle");
    if (usdc?.kind !== "vault") throw new Error("expected circle to be a vault");
    expect(usdc.liabilities.amount).toBe(40_000_000_000n * 10n ** 6n);
  });

  it("fills defaults", () => {
    const s = loadScenario("march-2020-black-thursday");
    expect(s.seed).toBe(0);
    expect(s.shocks).toEqual([]);
    expect(s.correlations).toEqual([]);
  });
});

describe("loadScenario errors", () => {
  it("names the offending field of a broken file", () => {
    const json = raw("synthetic-shock");
    json.shocks[2].magnitude = 0.5;
    const file = join(scratch, "broken.json");
    writeFileSync(file, JSON.stringify(json));
    expect(() => loadScenario(file)).toThrow(ScenarioValidationError);
    expect(() => loadScenario(file)).toThrow(/shocks\[2\]\.magnitude: expected a number between -1 and 0/);
    try {
      loadScenario(file);
    } catch (err) {
      expect((err as ScenarioValidationError).issues).toEqual([
        { path: "shocks[2].magnitude", message: "expected a number between -1 and 0" },
      ]);
      expect((err as ScenarioValidationError).origin).toBe(file);
    }
  });

  it("reports an unknown name with the available ones, and unreadable files", () => {
    expect(() => loadScenario("march-2020")).toThrow(ScenarioNotFoundError);
    expect(() => loadScenario("march-2020")).toThrow(
      /Available: june-2022-steth-discount, march-2020-black-thursday/,
    );
    expect(() => loadScenario("./nope/missing.json")).toThrow(ScenarioFileError);
    writeFileSync(join(scratch, "bad.json"), "{ not json");
    expect(() => loadScenario(join(scratch, "bad.json"))).toThrow(/not valid JSON/);
  });

  it("lists every problem at once", () => {
    const json = raw("synthetic-shock");
    json.shocks[0].magnitude = -2;
    json.assets[0].decimals = 40;
    try {
      parseScenario(json, "two-problems");
      expect.unreachable();
    } catch (err) {
      const e = err as ScenarioValidationError;
      expect(e.issues.map((i) => `${i.path}: ${i.message}`).sort()).toEqual([
        "assets[0].decimals: expected a whole number between 0 and 36",
        "shocks[0].magnitude: expected a number between -1 and 0",
      ]);
      expect(e.message).toMatch(/2 problems:/);
    }
  });
});

describe("scenario validation names the field", () => {
  const cases: [string, (j: Json) => void, RegExp][] = [
    ["wrong version", (j) => (j.v = 2), /^v: expected v to be 1/],
    ["missing source", (j) => delete j.source, /^source: expected a source citation/],
    ["unknown top-level key", (j) => (j.extra = 1), /^\(root\): Unrecognized key: "extra"/],
    [
      "unknown asset in a reserve",
      (j) => (j.protocols[0].reserves[0].asset = "WETH"),
      /^protocols\[0\]\.reserves\[0\]\.asset: unknown asset "WETH"; declared assets: ETH, BTC, ALT, sETH, USDC/,
    ],
    [
      "too many decimals",
      (j) => (j.protocols[0].reserves[4].supplied = "1.0000001"),
      /^protocols\[0\]\.reserves\[4\]\.supplied: has 7 decimal places; USDC has 6/,
    ],
    [
      "amount as a number",
      (j) => (j.protocols[0].reserves[0].supplied = 500000),
      /^protocols\[0\]\.reserves\[0\]\.supplied: expected a token amount as a decimal string/,
    ],
    [
      "borrowed beyond supply",
      (j) => (j.protocols[0].reserves[1].borrowed = "30000"),
      /^protocols\[0\]\.reserves\[1\]\.borrowed: is more than supplied/,
    ],
    [
      "ltv above threshold",
      (j) => (j.protocols[0].reserves[0].collateral.ltv = 0.9),
      /^protocols\[0\]\.reserves\[0\]\.collateral\.ltv: is 0.9, above the liquidation threshold 0.85/,
    ],
    [
      "unpayable bonus",
      (j) => (j.protocols[0].reserves[0].collateral.liquidationBonus = 0.2),
      /collateral\.liquidationBonus: threshold x \(1 \+ bonus\) is 1\.0200/,
    ],
    [
      "bad protocol kind",
      (j) => (j.protocols[1].kind = "bank"),
      /^protocols\[1\]\.kind: expected kind to be one of: lending, amm, perp, vault/,
    ],
    [
      "stableswap without A",
      (j) => delete j.protocols[1].pools[1].amplification,
      /^protocols\[1\]\.pools\[1\]\.amplification: expected the amplification/,
    ],
    [
      "maintenance above initial margin",
      (j) => (j.protocols[2].markets[0].maintenanceMargin = 0.2),
      /^protocols\[2\]\.markets\[0\]\.maintenanceMargin: is 0.2, above the initial margin 0.1/,
    ],
    [
      "queued redemption without delay",
      (j) => delete j.protocols[3].redemption.delayHours,
      /^protocols\[3\]\.redemption\.delayHours: expected the queue delay/,
    ],
    [
      "bad path model",
      (j) => (j.assets[0].path.model = "random-walk"),
      /^assets\[0\]\.path\.model: expected model to be one of: constant, scripted, ratio, gbm, regime-switching/,
    ],
    [
      "keyframe with hours and days",
      (j) => (j.assets[3].path.keyframes[0].days = 1),
      /^assets\[3\]\.path\.keyframes\[0\]\.hours: expected exactly one of hours or days/,
    ],
    [
      "keyframes out of order",
      (j) => (j.assets[3].path.keyframes[1].hours = 10),
      /^assets\[3\]\.path\.keyframes\[1\]\.hours: is at hour 10, before the previous keyframe \(hour 36\)/,
    ],
    [
      "keyframe after the horizon",
      (j) => (j.assets[3].path.keyframes[1].hours = 200),
      /keyframes\[1\]\.hours: is at hour 200, after the horizon \(168 h\)/,
    ],
    [
      "ratio of a ratio",
      (j) => (j.assets[0].path = { model: "ratio", base: "sETH", keyframes: [{ hours: 1, ratio: 1 }] }),
      /^assets\[0\]\.path\.base: "sETH" is itself a ratio path/,
    ],
    [
      "correlation with a scripted asset",
      (j) => (j.correlations[0].assets[1] = "USDC"),
      /^correlations\[0\]\.assets\[1\]: "USDC" has a constant path; correlations apply to gbm paths/,
    ],
    [
      "horizon not a whole number of steps",
      (j) => (j.time.stepHours = 5),
      /^time\.horizonHours: expected a whole number of 5-hour steps, got 33\.6/,
    ],
    [
      "historical without dates",
      (j) => (j.kind = "historical"),
      /^episode: expected the episode dates of a historical scenario/,
    ],
    [
      "run on an unknown protocol",
      (j) => (j.withdrawalRuns[0].protocol = "bank"),
      /^withdrawalRuns\[0\]\.protocol: unknown protocol "bank"; declared protocols: lender, dex, perp, staking/,
    ],
    [
      "holding in itself",
      (j) => (j.crossHoldings[0].issuer = "lender"),
      /^crossHoldings\[0\]\.issuer: expected a protocol other than the holder/,
    ],
    [
      "duplicate asset",
      (j) => j.assets.push({ ...j.assets[4] }),
      /^assets\[5\]\.symbol: duplicate asset "USDC"/,
    ],
  ];

  it.each(cases)("%s", (_, mutate, expected) => {
    const json = raw("synthetic-shock");
    mutate(json);
    const found = problems(json);
    expect(
      found.some((p) => expected.test(p)),
      `got:\n${found.join("\n")}`,
    ).toBe(true);
  });

  it("rejects jointly impossible correlations", () => {
    const json = raw("synthetic-shock");
    json.assets.push({
      symbol: "SOL",
      decimals: 9,
      priceUsd: 30,
      path: { model: "gbm", muAnnual: 0, sigmaAnnual: 1 },
    });
    json.correlations = [
      { assets: ["ETH", "BTC"], rho: 0.9 },
      { assets: ["ETH", "SOL"], rho: 0.9 },
      { assets: ["BTC", "SOL"], rho: -0.9 },
    ];
    expect(problems(json)).toEqual([
      expect.stringMatching(/^correlations: are jointly impossible \(matrix is not positive semi-definite/),
    ]);
  });
});

describe("formatPath", () => {
  it("writes zod paths the way a person reads them", () => {
    expect(formatPath(["shocks", 2, "magnitude"])).toBe("shocks[2].magnitude");
    expect(formatPath([])).toBe("(root)");
    expect(formatPath([0, "a"])).toBe("[0].a");
  });
});
