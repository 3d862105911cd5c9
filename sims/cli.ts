/**
 * `npm run sim`, the main job. Two parts, both on embedded defaults:
 *   1. the herding study (sims/herding): de-risking in unison, diverse or dampened, against off;
 *      then the contagion study: a crisis scenario replayed with agents off and on over many seeds,
 *      with a progress bar, a summary table and an HTML report (charts, the herding comparison
 *      among them), JSON and CSV;
 *      then the same demo played by the shipped agents against the built-in policy
 *      (sims/engine/agents-policy); then the margins study: negotiated loans liquidated when ETH
 *      falls 20.6% in one hour (sims/engine/scenarios/margin-gap.json);
 *   2. the live settlement run: real agents negotiate a loan over the in-process bus with signed
 *      offers and settle it on the LiquidityArbiter on an anvil chain this command starts.
 * `--no-live` skips part 2, `--live-only` skips part 1; other options go to the part they name
 * (`--rpc-url` to both: one chain for everything).
 */

import { runCli } from "../core/run-cli.ts";
import { agentsCheckLines, checkAgents } from "./engine/agents-policy/agents-check.ts";
import { parseCliArgs as parseStudyArgs, main as runStudy, HELP as STUDY_HELP } from "./engine/cli.ts";
import { UsageError } from "./engine/errors.ts";
import { MARGIN_GAP_SCENARIO } from "./engine/run-contagion-study.ts";
import { runHerdingCli } from "./herding/cli.ts";
import { describeFailure, LIVE_HELP, main as runLive } from "./live-settlement-cli.ts";

const HELP = `Usage: npm run sim [-- options]

Runs the contagion study, then a live settlement run with real agents on a local chain. By
default the study settles every negotiated loan on the real LiquidityArbiter contract on a local
anvil chain it starts (--settlement chain); --settlement ledger uses the in-process copy of the
contract instead, many times faster and with the same results, for large sweeps.

  --no-live        only the contagion study
  --live-only      only the live settlement run
  -h, --help       this help

Contagion study options (part 1):
${STUDY_HELP.split("Options:")[1]?.split("Examples:")[0] ?? ""}
Live settlement options (part 2): --transport <bus|nats>, --nats-url <url>, --log-level <level>;
see \`npm run sim:live -- --help\`. --rpc-url <url> goes to both parts: the study and the live run
then use that running anvil instead of each starting its own.
`;

const LIVE_FLAGS = new Set(["--transport", "--nats-url", "--log-level"]);
/** Options both parts take. */
const SHARED_FLAGS = new Set(["--rpc-url"]);

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return 0;
  }
  const studyArgs: string[] = [];
  const liveArgs: string[] = [];
  // The ledger needs no chain: then --rpc-url is the live run's alone.
  const ledger = argv.some(
    (a, i) => a === "--settlement=ledger" || (a === "--settlement" && argv[i + 1] === "ledger"),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--no-live" || a === "--live-only") continue;
    const flag = a.split("=")[0]!;
    const targets = SHARED_FLAGS.has(flag)
      ? ledger
        ? [liveArgs]
        : [studyArgs, liveArgs]
      : [LIVE_FLAGS.has(flag) ? liveArgs : studyArgs];
    for (const t of targets) t.push(a);
    // Options given as "--flag value" take the next word along.
    if (
      !a.includes("=") &&
      argv[i + 1] !== undefined &&
      !argv[i + 1]!.startsWith("--") &&
      a.startsWith("--")
    ) {
      const booleans = ["--no-report", "--no-margins", "--list"];
      if (!booleans.includes(a)) {
        const value = argv[++i]!;
        for (const t of targets) t.push(value);
      }
    }
  }
  if (!argv.includes("--live-only")) {
    // A malformed study option (--seeds, --sweep, ...) fails at once, not after the herding study.
    try {
      parseStudyArgs(studyArgs);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`\nerror: ${error.message}\n`);
      return 2;
    }
    // Herding first: the contagion study's report includes its comparison.
    process.stdout.write("━━ Part 1: herding, protocols de-risking in unison (npm run sim:herding) ━━\n");
    const herding = await runHerdingCli(["--seeds", "10"]);
    if (herding.code !== 0) return herding.code;
    process.stdout.write("\n━━ Part 1: contagion study ━━\n");
    const code = await runStudy(studyArgs, { herding: herding.study });
    if (code !== 0) return code;
    process.stdout.write("\n━━ The shipped agents in the simulator (sim:study -- --policy agents) ━━\n");
    process.stdout.write(`${agentsCheckLines(await checkAgents()).join("\n")}\n`);
    process.stdout.write(
      "\n━━ Margins: negotiated loans through a one-hour gap (sim:study -- --scenario margin-gap.json) ━━\n",
    );
    const settlementArgs = studyArgs.flatMap((a, i) =>
      a.startsWith("--settlement") || a.startsWith("--rpc-url")
        ? a.includes("=")
          ? [a]
          : [a, studyArgs[i + 1]!]
        : [],
    );
    const margins = await runStudy([
      ...["--scenario", MARGIN_GAP_SCENARIO, "--seeds", "5", "--mode", "off,negotiation"],
      ...settlementArgs,
    ]);
    if (margins !== 0) return margins;
  }
  if (!argv.includes("--no-live")) {
    process.stdout.write("\n━━ Part 2: live settlement with real agents on a local chain ━━\n");
    await runLive(liveArgs);
  }
  return 0;
}

runCli("sim", () => main(process.argv.slice(2)), describeFailure);

export { LIVE_HELP };
