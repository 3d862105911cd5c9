import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main, parseCliArgs, parseSeeds } from "./cli.ts";
import { defaultEngineOptions, ENGINE_OPTION_VALUES, NUMERIC_ENGINE_OPTIONS } from "./engine-options.ts";

describe("contagion CLI", () => {
  afterEach(() => vi.restoreAllMocks());
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
    vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
    return { out: () => out.join(""), err: () => err.join("") };
  };

  it("reads seeds as a count, a list or a range", () => {
    expect(parseSeeds("3")).toEqual([1, 2, 3]);
    expect(parseSeeds("4,9")).toEqual([4, 9]);
    expect(parseSeeds("5..7")).toEqual([5, 6, 7]);
    expect(() => parseSeeds("x")).toThrow(/--seeds/);
    expect(() => parseSeeds("7..5")).toThrow(/--seeds/);
  });

  it("refuses malformed seed lists, naming the part that is wrong", () => {
    expect(parseSeeds("0..2")).toEqual([0, 1, 2]);
    expect(parseSeeds("0,7, 3")).toEqual([0, 7, 3]);
    expect(() => parseSeeds("1,,2")).toThrow(/--seeds: .*got "1,,2": entry 2 is empty/);
    expect(() => parseSeeds("1,")).toThrow(/--seeds: .*got "1,": entry 2 is empty/);
    expect(() => parseSeeds(",1")).toThrow(/entry 1 is empty/);
    expect(() => parseSeeds("3,3")).toThrow(/--seeds: .*seed 3 is listed twice/);
    expect(() => parseSeeds("1e3")).toThrow(/--seeds: .*"1e3" is not a whole number >= 0/);
    expect(() => parseSeeds("+3")).toThrow(/"\+3" is not a whole number >= 0/);
    expect(() => parseSeeds("-3")).toThrow(/"-3" is not a whole number >= 0/);
    expect(() => parseSeeds("1,2.5")).toThrow(/"2\.5" is not a whole number >= 0/);
    expect(() => parseSeeds("0x10")).toThrow(/"0x10" is not a whole number >= 0/);
    expect(() => parseSeeds("1..-2")).toThrow(/"-2" is not a whole number >= 0/);
    expect(() => parseSeeds("")).toThrow(/--seeds: .*nothing given/);
    expect(() => parseSeeds("0")).toThrow(/--seeds: .*a count must be from 1/);
    expect(() => parseSeeds("7..5")).toThrow(/the range ends before it starts/);
    expect(() => parseSeeds("1..2000000")).toThrow(/at most 1000000 seeds/);
  });

  it("gives the plain seeds message for a negative --seeds, with a space or with =", async () => {
    for (const args of [["--seeds", "-3"], ["--seeds=-3"]]) {
      expect(() => parseCliArgs(args)).toThrow(/--seeds: .*"-3" is not a whole number >= 0/);
      const io = capture();
      expect(await main([...args, "--no-report"])).toBe(2);
      expect(io.err()).toMatch(/error: --seeds: .*"-3" is not a whole number >= 0/);
      expect(io.err()).not.toMatch(/ambiguous|\n\s+at /);
      vi.restoreAllMocks();
    }
    expect(() => parseCliArgs(["--positions", "-1"])).toThrow(/--positions: expected a whole number from 1/);
  });

  it("checks a sweep against the option's own range before any run", async () => {
    expect(parseCliArgs(["--sweep", "depthScale=0.1,1,1e1"]).sweep).toEqual({
      option: "depthScale",
      values: [0.1, 1, 10],
    });
    expect(parseCliArgs(["--sweep", "positionsPerLending=50,100"]).sweep).toEqual({
      option: "positionsPerLending",
      values: [50, 100],
    });
    expect(() => parseCliArgs(["--sweep", "depthScale=-1"])).toThrow(
      /--sweep: depthScale: expected a number above 0, got "-1"/,
    );
    expect(() => parseCliArgs(["--sweep", "positionsPerLending=0.5"])).toThrow(
      /--sweep: positionsPerLending: expected a whole number from 1 to 10000000, got "0\.5"/,
    );
    expect(() => parseCliArgs(["--sweep", "perpHedgeShare=0.5,2"])).toThrow(
      /--sweep: perpHedgeShare: expected a share from 0 to 1, got "2"/,
    );
    expect(() => parseCliArgs(["--sweep", "depthScale=1,x"])).toThrow(/depthScale: .*got "x"/);
    expect(() => parseCliArgs(["--sweep", "depthScale=1,,2"])).toThrow(/depthScale: value 2 is empty/);
    expect(() => parseCliArgs(["--sweep", "depthScale="])).toThrow(/depthScale: expected at least one value/);
    expect(() => parseCliArgs(["--sweep", "depthScale=1,1.0"])).toThrow(/depthScale: 1 is listed twice/);
    expect(() => parseCliArgs(["--sweep", "rateModel=1"])).toThrow(/--sweep: unknown option "rateModel"/);
    expect(() => parseCliArgs(["--sweep", "startTime=1"])).toThrow(/--sweep: unknown option "startTime"/);
    // The defaults satisfy their own constraints (one schema per numeric option).
    for (const option of NUMERIC_ENGINE_OPTIONS)
      expect(ENGINE_OPTION_VALUES[option].safeParse(defaultEngineOptions[option]).success).toBe(true);
    // Through main: exit 2, the plain message, no stack and no run started.
    const io = capture();
    expect(await main(["--sweep", "positionsPerLending=0.5", "--seeds", "1", "--no-report"])).toBe(2);
    expect(io.err()).toMatch(/error: --sweep: positionsPerLending: expected a whole number/);
    expect(io.err()).not.toMatch(/RangeError|\n\s+at |runs/);
  });

  it("names the option that is wrong", () => {
    expect(() => parseCliArgs(["--mode", "sometimes"])).toThrow(/--mode: unknown mode "sometimes"/);
    expect(() => parseCliArgs(["--positions", "-1"])).toThrow(/--positions/);
    expect(() => parseCliArgs(["--sweep", "nonsense"])).toThrow(/--sweep/);
    expect(() => parseCliArgs(["--frobnicate"])).toThrow(/frobnicate/);
    expect(() => parseCliArgs(["--lending", "vibes"])).toThrow(/--lending: expected rule, model-driven/);
    expect(parseCliArgs([]).lending).toBe("rule");
    expect(parseCliArgs(["--lending", "model-driven"]).lending).toBe("model-driven");
    expect(parseCliArgs([]).policy).toBe("builtin");
    expect(parseCliArgs(["--policy", "agents"]).policy).toBe("agents");
    expect(() => parseCliArgs(["--policy", "robots"])).toThrow(/--policy: expected builtin or agents/);
    expect(parseCliArgs([]).margins).toBe(true);
    expect(parseCliArgs(["--no-margins"]).margins).toBe(false);
    expect(parseCliArgs([]).marginHorizonHours).toBeUndefined();
    expect(parseCliArgs(["--margin-horizon", "24"]).marginHorizonHours).toBe(24);
    expect(() => parseCliArgs(["--margin-horizon", "0"])).toThrow(/--margin-horizon: expected hours > 0/);
    expect(() => parseCliArgs(["--margin-horizon", "24", "--no-margins"])).toThrow(/not with --no-margins/);
    expect(parseCliArgs(["--mode", "off,both", "--seeds", "2"])).toMatchObject({
      modes: ["off", "both"],
      seeds: [1, 2],
    });
  });

  it("settles on the chain unless told to use the ledger", () => {
    expect(parseCliArgs([])).toMatchObject({ settlement: "chain", rpcUrl: undefined });
    expect(parseCliArgs(["--settlement", "ledger"])).toMatchObject({ settlement: "ledger" });
    expect(parseCliArgs(["--rpc-url", "http://127.0.0.1:8545"])).toMatchObject({
      settlement: "chain",
      rpcUrl: "http://127.0.0.1:8545",
    });
    expect(() => parseCliArgs(["--settlement", "paper"])).toThrow(/--settlement: expected chain or ledger/);
    expect(() => parseCliArgs(["--settlement", "ledger", "--rpc-url", "http://127.0.0.1:8545"])).toThrow(
      /--rpc-url: only with --settlement chain/,
    );
    expect(() => parseCliArgs(["--rpc-url", "localhost"])).toThrow(/--rpc-url: expected an http/);
  });

  it("explains itself with --help", async () => {
    const io = capture();
    expect(await main(["--help"])).toBe(0);
    expect(io.out()).toMatch(/Usage: npx tsx sims\/engine\/cli.ts/);
    expect(io.out()).toMatch(/negotiation {2}agents lend/);
    expect(io.out()).toMatch(/--settlement <where>/);
    expect(io.out()).toMatch(/ledger {2}an in-process copy of the contract/);
  });

  it("rejects a bad scenario file with the field that is wrong", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contagion-cli-"));
    const file = join(dir, "bad.json");
    const good = JSON.parse(
      readFileSync(new URL("./scenarios/contagion-demo.json", import.meta.url), "utf8"),
    );
    good.protocols[0].closeFactor = 3;
    writeFileSync(file, JSON.stringify(good));
    const io = capture();
    expect(await main(["--scenario", file, "--seeds", "1", "--no-report"])).toBe(1);
    expect(io.err()).toMatch(/protocols\[0\]\.closeFactor: expected a number above 0 and at most 1/);
  });

  it("checks the scenario file before creating the output folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contagion-cli-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ title: "no protocols" }));
    const out = join(dir, "out", "bad");
    const io = capture();
    expect(await main(["--scenario", file, "--seeds", "1", "--out", out, "--settlement", "ledger"])).toBe(1);
    expect(io.err()).toMatch(/error: /);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("runs a small study: progress, summary table, report files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contagion-cli-"));
    const io = capture();
    // The ledger keeps this test fast; chain-backend.test.ts shows the chain gives the same results.
    const args = ["--seeds", "2", "--mode", "off,negotiation", "--out", dir, "--positions", "50"];
    expect(await main([...args, "--settlement", "ledger"])).toBe(0);
    expect(io.err()).toMatch(/4\/4 runs/);
    expect(io.out()).toMatch(/Bad debt \(USD\)/);
    expect(io.out()).toMatch(/VaR 95%/);
    expect(io.out()).toMatch(/Settlement: in-process ledger .*: \d+ settle, \d+ repay, \d+ claimDefault/);
    // Depositors' harm sits next to bad debt, and recovery is censored.
    expect(io.out()).toMatch(/Losses to depositors \(USD\)/);
    expect(io.out()).toMatch(/Unpaid withdrawals \(USD x hours\)/);
    expect(io.out()).toMatch(/Recovered within horizon \(share\)/);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toMatch(/<svg/);
    // Self-contained: no scripts, nothing fetched.
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(readFileSync(join(dir, "runs.csv"), "utf8").split("\n")[0]).toMatch(
      /^mode,seed,sweep,bad_debt_usd,.*depositor_loss_usd,unpaid_withdrawal_usd_hours,/,
    );
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(json.records).toHaveLength(4);
    expect(typeof json.records[0].totals.badDebtUsd8).toBe("string");
    expect(json.settlement).toMatchObject({
      backend: "ledger",
      byMode: [{ mode: "off" }, { mode: "negotiation" }],
    });
  });
});
