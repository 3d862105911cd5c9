/** `npm run sim:backtest` at CI size: every named scenario with one seed, files written; bad
 *  options fail at once with a plain message. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "./cli.ts";
import { BACKTESTED_SCENARIOS } from "./comparisons.ts";

let stderr = "";
beforeEach(() => {
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe("sim:backtest", () => {
  it("writes JSON, Markdown and an HTML page with a chart per scenario", async () => {
    const out = mkdtempSync(join(tmpdir(), "backtest-"));
    expect(await main(["--seeds", "1", "--out", out])).toBe(0);
    const json = JSON.parse(readFileSync(join(out, "backtest.json"), "utf8"));
    expect(json.tables.map((t: { scenario: string }) => t.scenario)).toEqual([...BACKTESTED_SCENARIOS]);
    const md = readFileSync(join(out, "backtest.md"), "utf8");
    expect(md).toContain("| Collateral liquidated on 19 May, Aave + Compound + Maker |");
    const html = readFileSync(join(out, "backtest.html"), "utf8");
    expect(html.match(/<figure class="chart/g)?.length).toBe(BACKTESTED_SCENARIOS.length);
    expect(html).not.toMatch(/https?:\/\/(?!vega\.github\.io|www\.w3\.org)/);
    expect(stderr).toContain("may-2021-deleveraging: seed 1/1");
  });

  it("fails at once on bad seeds, an unknown scenario or an --out that is a file", async () => {
    expect(await main(["--seeds", "0"])).toBe(1);
    expect(stderr).toContain("--seeds must be a whole number from 1 to 1000");
    expect(await main(["--seeds", "2x"])).toBe(1);
    expect(await main(["--scenario", "synthetic-shock"])).toBe(1);
    expect(stderr).toContain('"synthetic-shock" has no backtest');
    const file = join(mkdtempSync(join(tmpdir(), "backtest-")), "taken");
    writeFileSync(file, "x");
    expect(await main(["--out", file])).toBe(1);
    expect(stderr).toContain("is a file, not a folder");
  });
});
