/**
 * `npm run tournament -- --rounds N --scenarios M --seed S [--out results.json]
 *   [--strategies boulware,linear,...] [--latency ms]`
 * Prints the tables on stdout, progress on stderr, and the result as JSON to --out.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatTournament } from "./format-table.ts";
import { STRATEGY_NAMES, type StrategyName } from "./roster.ts";
import { runTournament } from "./tournament.ts";

const USAGE = `usage: npm run tournament -- [--rounds N] [--scenarios M] [--seed S] [--out file.json]
       [--strategies ${STRATEGY_NAMES.join(",")}] [--latency ms]`;

function integer(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got "${value}"\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string" },
      scenarios: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      strategies: { type: "string" },
      latency: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const strategies = values.strategies?.split(",").map((s) => s.trim()) ?? STRATEGY_NAMES;
  const unknown = strategies.filter((s) => !(STRATEGY_NAMES as string[]).includes(s));
  if (unknown.length) {
    process.stderr.write(`unknown strategies: ${unknown.join(", ")}\n${USAGE}\n`);
    process.exit(2);
  }
  const started = performance.now();
  let lastShown = -1;
  const result = runTournament({
    strategies: strategies as StrategyName[],
    rounds: integer("rounds", values.rounds, 20, 2),
    scenarios: integer("scenarios", values.scenarios, 60, 1),
    seed: integer("seed", values.seed, 1, 0),
    latencyMs: integer("latency", values.latency, 50, 1),
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (pct >= lastShown + 10 || done === total) {
        lastShown = pct;
        process.stderr.write(`tournament: ${done}/${total} sessions (${pct}%)\n`);
      }
    },
  });
  process.stdout.write(formatTournament(result));
  if (values.out) {
    writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`tournament: wrote ${values.out}\n`);
  }
  process.stderr.write(`tournament: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main();
