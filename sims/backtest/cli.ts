/**
 * npm run sim:backtest -- [--scenario <name>]... [--seeds <n>] [--out <folder>]
 *
 * Backtests the named historical scenarios: simulated against reported outcomes, with the ratio.
 * Writes backtest.json, backtest.md and backtest.html (tables and charts) and prints the tables.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BaseError } from "../../core/errors.ts";
import type { BacktestTable } from "../report/backtest.ts";
import { backtestMarkdown } from "./backtest-markdown.ts";
import { renderBacktestPage } from "./backtest-page.ts";
import { BACKTESTED_SCENARIOS } from "./comparisons.ts";
import { BacktestError } from "./errors.ts";
import { runBacktest } from "./run-backtest.ts";
import { loadShippedOutcomes } from "./shipped-outcomes.ts";

export const HELP = `Backtests the named historical scenarios against what happened.

Usage: npm run sim:backtest -- [options]

  --scenario <name>  one scenario (repeatable); default: all of ${BACKTESTED_SCENARIOS.join(", ")}
  --seeds <n>        seeds per scenario, 1..1000 (default 10): they redraw borrowers; prices replay
  --out <folder>     where to write backtest.json, backtest.md, backtest.html (default sim-out/backtest)
  -h, --help         this help
`;

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const err = (s: string) => process.stderr.write(s);
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: "string", multiple: true },
        seeds: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const seedText = values.seeds ?? "10";
    if (!/^\d+$/.test(seedText) || Number(seedText) < 1 || Number(seedText) > 1000)
      throw new BacktestError({
        problem: `--seeds must be a whole number from 1 to 1000, got "${seedText}"`,
      });
    const seeds = Array.from({ length: Number(seedText) }, (_, i) => i + 1);
    const scenarios = values.scenario ?? [...BACKTESTED_SCENARIOS];
    for (const s of scenarios)
      if (!(BACKTESTED_SCENARIOS as readonly string[]).includes(s))
        throw new BacktestError({
          problem: `--scenario "${s}" has no backtest`,
          fix: `choose from ${BACKTESTED_SCENARIOS.join(", ")}`,
        });
    const outDir = resolve(values.out ?? "sim-out/backtest");
    if (existsSync(outDir) && !statSync(outDir).isDirectory())
      throw new BacktestError({
        problem: `--out ${outDir} is a file, not a folder`,
        fix: "give a folder path",
      });
    mkdirSync(outDir, { recursive: true });

    const outcomes = loadShippedOutcomes();
    const tables: BacktestTable[] = [];
    const started = performance.now();
    for (const scenario of scenarios) {
      const { table } = await runBacktest({
        scenario,
        seeds,
        outcomes,
        onRun: ({ done, total }) => err(`\r  ${scenario}: seed ${done}/${total}`),
      });
      err("\n");
      tables.push(table);
      process.stdout.write(`\n## ${scenario}\n\n${backtestMarkdown(table)}`);
    }
    const generatedAt = new Date().toISOString();
    const markdown = tables
      .map((t) => `## ${t.scenario}\n\n${t.notes}\n\n${backtestMarkdown(t, true)}`)
      .join("\n");
    writeFileSync(
      join(outDir, "backtest.json"),
      `${JSON.stringify({ generatedAt, seeds, tables }, null, 2)}\n`,
    );
    writeFileSync(join(outDir, "backtest.md"), `# Backtest against history\n\n${markdown}`);
    writeFileSync(join(outDir, "backtest.html"), await renderBacktestPage({ tables, generatedAt }));
    process.stdout.write(
      `\nwrote ${join(outDir, "backtest.html")}, backtest.md, backtest.json in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof BaseError || (error instanceof TypeError && "code" in error)) {
      err(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main().then((code) => {
    process.exitCode = code;
  });
