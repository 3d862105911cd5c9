/**
 * The shipped slices and fitted parameters are exactly what the committed script makes from the
 * raw data (CI has ../shared/data/market), and run-time code never reaches for the raw data.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildMarketData } from "./build-market-data.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const DATA = resolve(HERE, "../../../shared/data/market");
const haveData = existsSync(DATA);
if (!haveData && process.env.CI)
  throw new Error(`CI must have the raw market data at ${DATA} to check the shipped slices`);

describe("sims/market-data", () => {
  it.skipIf(!haveData)(
    "rebuilding from ../shared/data/market reproduces every committed file byte for byte",
    () => {
      const files = buildMarketData({ dataDir: DATA });
      expect([...files.keys()].sort()).toEqual([
        "fitted/garch-t.json",
        "fitted/health-factors-pre-event.json",
        "fitted/health-factors.json",
        "fitted/samples.json",
        "slices/june-2022-steth-discount.csv",
        "slices/manifest.json",
        "slices/march-2020-black-thursday.csv",
        "slices/march-2023-usdc-depeg.csv",
        "slices/may-2021-deleveraging.csv",
        "slices/may-2022-terra.csv",
        "slices/november-2022-ftx.csv",
        "slices/reported-outcomes.json",
      ]);
      for (const [path, text] of files) expect(readFileSync(join(HERE, path), "utf8"), path).toBe(text);
    },
    120_000,
  );

  it("ships small files only: the whole folder's data is under 300 kB and has no raw file", () => {
    let total = 0;
    for (const sub of ["slices", "fitted"])
      for (const f of readdirSync(join(HERE, sub))) {
        total += statSync(join(HERE, sub, f)).size;
        expect(f).not.toMatch(/coingecko|bitfinex|binance|messari|stablesafe/);
      }
    expect(total).toBeLessThan(300_000);
  });

  it("run-time price paths import nothing that reads the raw data", () => {
    // Walk the static imports from the engine's entry into prices.
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // Type-only imports are erased (verbatimModuleSyntax): they load nothing at run time.
      for (const m of text.matchAll(/^import (?!type )[^"]*"(\.[^"]+)";/gm))
        walk(resolve(dirname(file), m[1]!));
    };
    const root = resolve(HERE, "../..");
    walk(resolve(root, "sims/scenarios/scenario-price-paths.ts"));
    const reached = [...seen].map((f) => f.slice(root.length + 1));
    expect(reached).toContain("sims/market-data/load-market-data.ts");
    for (const f of reached)
      expect(f).not.toMatch(/read-raw|build-window|build-market-data|market-data\/cli/);
    // The one file that touches the disk reads the shipped folders only.
    const readers = reached.filter((f) => /from "node:fs"/.test(readFileSync(resolve(root, f), "utf8")));
    expect(readers).toEqual(["sims/market-data/load-market-data.ts"]);
  });
});
