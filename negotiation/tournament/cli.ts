/**
 * `npm run tournament -- [--strategies a,b] [--rounds N] [--scenarios M] [--seed S] [--latency ms]
 *  [--out results.json]`; `--help` explains the options and every column (cli-args.ts).
 * Prints the tables on stdout, progress on stderr, and the result as JSON to --out. A bad option
 * is refused before anything runs: one line saying what is wrong, exit code 2.
 */
import { writeFileSync } from "node:fs";
import { parseTournamentArgs, TOURNAMENT_HELP, TournamentUsageError } from "./cli-args.ts";
import { formatTournament } from "./format-table.ts";
import { runTournament } from "./tournament.ts";

function main(): number {
  let parsed: ReturnType<typeof parseTournamentArgs>;
  try {
    parsed = parseTournamentArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof TournamentUsageError)) throw err;
    process.stderr.write(`tournament: ${err.message}\n`);
    return 2;
  }
  if (parsed.kind === "help") {
    process.stdout.write(TOURNAMENT_HELP);
    return 0;
  }
  const o = parsed.options;
  const started = performance.now();
  let lastShown = -1;
  const result = runTournament({
    strategies: o.strategies,
    rounds: o.rounds,
    scenarios: o.scenarios,
    seed: o.seed,
    latencyMs: o.latencyMs,
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (pct >= lastShown + 10 || done === total) {
        lastShown = pct;
        process.stderr.write(`tournament: ${done}/${total} sessions (${pct}%)\n`);
      }
    },
  });
  process.stdout.write(formatTournament(result));
  if (o.out) {
    writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`tournament: wrote ${o.out}\n`);
  }
  process.stderr.write(`tournament: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

process.exitCode = main();
