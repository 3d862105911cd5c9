/**
 * npm run data:slices -- --data ../shared/data/market [--check]
 *
 * Rebuilds sims/market-data/slices and sims/market-data/fitted from the raw market data. With
 * --check, writes nothing and exits 1 if any committed file differs from the rebuild.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BaseError } from "../../core/errors.ts";
import { buildMarketData } from "./build-market-data.ts";

export const MARKET_DATA_DIR = fileURLToPath(new URL(".", import.meta.url));

const HELP = `Builds the market-data slices and fitted parameters shipped in sims/market-data.

Usage: npm run data:slices -- --data <folder> [--check]

  --data <folder>  the raw market data (default ../shared/data/market, relative to the repo)
  --check          compare with the committed files instead of writing; exit 1 on a difference
  -h, --help       this help
`;

export function main(argv = process.argv.slice(2)): number {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: "string" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const dataDir = resolve(values.data ?? join(MARKET_DATA_DIR, "../../../shared/data/market"));
  try {
    const started = performance.now();
    const files = buildMarketData({ dataDir, onProgress: (m) => process.stderr.write(`  ${m}\n`) });
    let differ = 0;
    for (const [path, text] of files) {
      const target = join(MARKET_DATA_DIR, path);
      const same = existsSync(target) && readFileSync(target, "utf8") === text;
      if (values.check) {
        if (!same) {
          differ++;
          process.stdout.write(`differs: ${path}\n`);
        }
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      if (!same) writeFileSync(target, text);
      process.stdout.write(
        `${same ? "unchanged" : "wrote    "} ${path} (${text.length.toLocaleString("en-US")} bytes)\n`,
      );
    }
    const total = [...files.values()].reduce((a, t) => a + t.length, 0);
    process.stdout.write(
      `${files.size} files, ${total.toLocaleString("en-US")} bytes, from ${dataDir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return differ > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof BaseError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
