/**
 * The contagion study from the command line (the lead wires it into `npm run sim`):
 *
 *   npx tsx sims/engine/cli.ts [options]
 *
 * Runs a scenario with agents off and on over many seeds, shows a progress bar, prints a
 * summary table and writes an HTML report (with charts), JSON and CSV.
 */

import { parseArgs } from "node:util";
import { BaseError } from "../../core/errors.ts";
import { runCliIfMain } from "../../core/run-cli.ts";
import type { HerdingStudy } from "../herding/run-herding.ts";
import { formatSummaryTable } from "../report/summary-table.ts";
import { listScenarios, loadScenario } from "../scenarios/load-scenario.ts";
import { PRICE_PATH_MODES, type PricePathMode } from "../scenarios/scenario-schema.ts";
import { STUDY_PRICE_PATHS } from "../scenarios/with-price-paths.ts";
import { createSettlementBackend } from "../settlement/create-settlement-backend.ts";
import { SETTLEMENT_KINDS, type SettlementKind } from "../settlement/settlement-backend.ts";
import { settlementReportLines } from "../settlement/settlement-report.ts";
import { POLICY_KINDS, type PolicyKind } from "./agents-policy/policy-kind.ts";
import { DERISK_DETECTORS, type DeriskDetector } from "./alert-votes.ts";
import { LENDING_POLICIES, type LendingPolicy } from "./builtin-policy.ts";
import {
  joinNegativeValues,
  parseEngineOption,
  parseSeeds,
  parseSweep,
  type SweepSpec,
} from "./cli-values.ts";
import { defaultEngineOptions, type EngineOptions } from "./engine-options.ts";
import { MODES, type Mode } from "./engine-policy.ts";
import { UsageError } from "./errors.ts";
import { prepareOutputFolder } from "./output-folder.ts";
import { DEFAULT_SCENARIO, runContagionStudy } from "./run-contagion-study.ts";

export const HELP = `Contagion study: what happens to a group of DeFi protocols in a crisis, with and
without agents that lend to each other and de-risk together.

Usage: npx tsx sims/engine/cli.ts [options]

Each run replays a scenario (price paths, protocols, withdrawal runs) hour by hour: borrowers are
liquidated, liquidations move prices in the DEX pools, funds facing withdrawals sell what they
hold, and losses travel along the protocols' exposures to each other. The same scenario runs in
four modes, over many random seeds:

  off          no agents
  negotiation  agents lend to protocols that are short of cash, against collateral
  derisking    agents raise a shared alert and tighten risk parameters together
  both         both of the above

Options:
  --scenario <name|file>  a library scenario (see --list) or a path to a scenario .json file
                          (default: the contagion demo, sims/engine/scenarios/contagion-demo.json)
  --seeds <n|list>        how many seeds (20), or which: "1,2,3" or "1..50" (whole numbers
                          >= 0, each seed once)
  --mode <modes>          comma-separated modes to run (default: all four)
  --out <folder>          where to write report.html, results.json, runs.csv, summary.csv
                          (default: sim-out/<scenario>)
  --paths <how>           how market prices move from seed to seed (scenarios with real data):
                            bootstrap  each seed draws a path from the scenario's real crisis
                                       window, hour by hour in blocks, all assets together
                                       (default: intervals over seeds include price risk)
                            fitted     each seed draws from GARCH(1,1)-t and peg models fitted
                                       to that window and to 2019-2022 hourly data
                            replay     every seed replays the real window as it happened
  --positions <n>         borrowers modelled per lending market (default ${defaultEngineOptions.positionsPerLending})
  --sweep <option=v1,v2>  repeat everything for each value of one numeric engine option,
                          e.g. --sweep depthScale=0.1,1,10; each value once and within the
                          option's own range (an unknown option name lists the options)
  --settlement <where>    where negotiated loans are settled (default: chain):
                            chain   the real LiquidityArbiter contract on a local anvil chain
                                    that this command starts and stops; every loan, repayment
                                    and default claim is a signed transaction
                            ledger  an in-process copy of the contract: no chain, many times
                                    faster, for large sweeps
                          Both give the same results; the summary says which was used and,
                          for chain, how many transactions were sent and the gas they used.
  --rpc-url <url>         with --settlement chain: use this running anvil instead of starting
                          one (the study resets it to its own setup before each run)
  --no-report             print the summary only
  --lending <policy>      how lenders price loans: rule (default: a fixed premium and haircut) or
                          model-driven (the learned valuation model, models/valuation)
  --detector <d>          what makes protocols vote for de-risking alerts: drawdown (default: an
                          asset they are exposed to fell past a level) or contagion-model (the
                          learned early-warning model, models/contagion, at the agents' thresholds)
  --policy <who>          who plays the agents (default: builtin):
                            builtin  the fast built-in policy, computed in-process
                            agents   the shipped agents themselves: xstate machines, signed
                                     wire messages on an in-process bus, one simulated clock;
                                     the same decisions (a differential test holds them equal),
                                     a few times slower
  --no-margins            negotiated loans without a margin (no liquidation threshold, no
                          liquidations or top-ups; default: margined, docs/SIMULATION.md)
  --margin-horizon <h>    hours of price risk a lender's margin covers: the liquidation threshold
                          survives the collateral's 99% fall over that time at its volatility so
                          far (default: one step, as lenders look at their loans every step)
  --list                  list the library scenarios and exit
  -h, --help              show this help

Examples:
  npx tsx sims/engine/cli.ts
  npx tsx sims/engine/cli.ts --scenario march-2020-black-thursday --seeds 50 --mode off,both
  npx tsx sims/engine/cli.ts --scenario ./my-scenario.json --out reports/mine
  npx tsx sims/engine/cli.ts --seeds 500 --settlement ledger
  npx tsx sims/engine/cli.ts --scenario june-2022-steth-discount --paths replay

Money is counted in token base units (integers) throughout; results are in USD. A bad scenario
file is rejected with the field that is wrong, e.g. "protocols[1].closeFactor: expected a number
above 0 and at most 1".
`;

export type CliOptions = {
  scenario: string;
  seeds: number[];
  modes: Mode[];
  out: string | undefined;
  engine: Partial<EngineOptions>;
  sweep: SweepSpec | undefined;
  settlement: SettlementKind;
  rpcUrl: string | undefined;
  paths: PricePathMode;
  /** How lenders price loans: "rule" or "model-driven" (the learned valuation model). */
  lending: LendingPolicy;
  /** What makes protocols vote for de-risking alerts. */
  detector: DeriskDetector;
  /** Who plays the agents: the built-in policy or the shipped agents. */
  policy: PolicyKind;
  /** Margined negotiated loans (--no-margins: false). */
  margins: boolean;
  /** Hours of price risk a lender's margin covers (--margin-horizon; undefined: one step). */
  marginHorizonHours: number | undefined;
  help: boolean;
  list: boolean;
};

/** Options whose value may look like a negative number ("--seeds -3"): see joinNegativeValues. */
const NUMERIC_FLAGS = ["--seeds", "--positions", "--margin-horizon"];

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv, NUMERIC_FLAGS),
      options: {
        scenario: { type: "string" },
        seeds: { type: "string" },
        mode: { type: "string" },
        out: { type: "string" },
        positions: { type: "string" },
        sweep: { type: "string" },
        settlement: { type: "string" },
        "rpc-url": { type: "string" },
        paths: { type: "string" },
        lending: { type: "string" },
        detector: { type: "string" },
        policy: { type: "string" },
        "no-report": { type: "boolean" },
        "no-margins": { type: "boolean" },
        "margin-horizon": { type: "string" },
        list: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const seeds = parseSeeds(String(values.seeds ?? "20"));
  const modes = String(values.mode ?? MODES.join(","))
    .split(",")
    .map((m) => m.trim());
  for (const m of modes) {
    if (!(MODES as readonly string[]).includes(m))
      throw new UsageError(`--mode: unknown mode "${m}"; expected ${MODES.join(", ")}`);
  }
  const engine: Partial<EngineOptions> = {};
  if (values.positions !== undefined)
    engine.positionsPerLending = parseEngineOption(
      "positions",
      "positionsPerLending",
      String(values.positions),
    );
  const sweep = values.sweep === undefined ? undefined : parseSweep(String(values.sweep));
  const settlement = String(values.settlement ?? "chain");
  if (!(SETTLEMENT_KINDS as readonly string[]).includes(settlement))
    throw new UsageError(`--settlement: expected ${SETTLEMENT_KINDS.join(" or ")}, got "${settlement}"`);
  const rpcUrl = values["rpc-url"] === undefined ? undefined : String(values["rpc-url"]);
  if (rpcUrl !== undefined && settlement !== "chain")
    throw new UsageError("--rpc-url: only with --settlement chain (the ledger needs no chain)");
  if (rpcUrl !== undefined && !/^(https?|wss?):\/\/\S+$/.test(rpcUrl))
    throw new UsageError(`--rpc-url: expected an http:// or ws:// URL, got "${rpcUrl}"`);
  const paths = String(values.paths ?? STUDY_PRICE_PATHS);
  const lending = String(values.lending ?? "rule");
  if (!(LENDING_POLICIES as readonly string[]).includes(lending))
    throw new UsageError(`--lending: expected ${LENDING_POLICIES.join(", ")}, got "${lending}"`);
  const detector = String(values.detector ?? "drawdown");
  if (!(DERISK_DETECTORS as readonly string[]).includes(detector))
    throw new UsageError(`--detector: expected ${DERISK_DETECTORS.join(", ")}, got "${detector}"`);
  const policy = String(values.policy ?? "builtin");
  if (!(POLICY_KINDS as readonly string[]).includes(policy))
    throw new UsageError(`--policy: expected ${POLICY_KINDS.join(" or ")}, got "${policy}"`);
  if (!(PRICE_PATH_MODES as readonly string[]).includes(paths))
    throw new UsageError(`--paths: expected ${PRICE_PATH_MODES.join(", ")}, got "${paths}"`);
  const marginHorizonHours =
    values["margin-horizon"] === undefined ? undefined : Number(values["margin-horizon"]);
  if (marginHorizonHours !== undefined && !(marginHorizonHours > 0 && Number.isFinite(marginHorizonHours)))
    throw new UsageError(`--margin-horizon: expected hours > 0, got "${values["margin-horizon"]}"`);
  if (marginHorizonHours !== undefined && values["no-margins"])
    throw new UsageError("--margin-horizon: not with --no-margins (unmargined loans have no margin to size)");
  const scenario = String(values.scenario ?? DEFAULT_SCENARIO);
  const name =
    scenario === DEFAULT_SCENARIO
      ? "contagion-demo"
      : scenario.replace(/^.*[\\/]/, "").replace(/\.json$/, "");
  return {
    scenario,
    seeds,
    modes: modes as Mode[],
    out: values["no-report"] ? undefined : String(values.out ?? `sim-out/${name}`),
    engine,
    sweep,
    settlement: settlement as SettlementKind,
    rpcUrl,
    paths: paths as PricePathMode,
    lending: lending as LendingPolicy,
    detector: detector as DeriskDetector,
    policy: policy as PolicyKind,
    margins: !values["no-margins"],
    marginHorizonHours,
    help: Boolean(values.help),
    list: Boolean(values.list),
  };
}

function pricePathsLine(paths: PricePathMode): string {
  if (paths === "replay") return "the real window replayed, the same for every seed (--paths replay)";
  if (paths === "bootstrap")
    return "each seed a block bootstrap of the real window's hourly moves (--paths bootstrap)";
  return "each seed drawn from GARCH(1,1)-t and peg models fitted to the real window (--paths fitted)";
}

function progressBar(done: number, total: number, label: string): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} runs  ${label}`.padEnd(90);
}

/** `extras.herding`: the herding study `npm run sim` ran first; the report shows its comparison. */
export async function main(
  argv = process.argv.slice(2),
  extras: { herding?: HerdingStudy | undefined } = {},
): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  try {
    const o = parseCliArgs(argv);
    if (o.help) {
      out(HELP);
      return 0;
    }
    if (o.list) {
      out(`${listScenarios().join("\n")}\n`);
      return 0;
    }
    const tty = process.stderr.isTTY === true;
    // A bad scenario file is reported before any chain is started or any folder created.
    const scenario = loadScenario(o.scenario);
    // A bad --out (a file, a folder that cannot be made or written) fails before any run.
    if (o.out !== undefined) prepareOutputFolder(o.out);
    if (o.settlement === "chain")
      err(
        o.rpcUrl ? `settling on the anvil at ${o.rpcUrl}\n` : "starting a local anvil chain for settlement\n",
      );
    const settlement = await createSettlementBackend({ settlement: o.settlement, rpcUrl: o.rpcUrl });
    let result: Awaited<ReturnType<typeof runContagionStudy>>;
    try {
      const chain = settlement.chain();
      if (chain) err(`LiquidityArbiter deployed at ${chain.arbiter} (anvil ${chain.rpcUrl})\n`);
      result = await runContagionStudy({
        scenario,
        seeds: o.seeds,
        modes: o.modes,
        outDir: o.out,
        engine: o.engine,
        sweep: o.sweep,
        settlement,
        paths: o.paths,
        lending: o.lending,
        detector: o.detector,
        policy: o.policy,
        herding: extras.herding,
        margins: o.margins,
        marginHorizonHours: o.marginHorizonHours,
        onRun: ({ done, total, mode, seed }) => {
          const line = progressBar(done, total, `mode=${mode} seed=${seed}`);
          if (tty) err(line);
          else if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0)
            err(`${line.trim()}\n`);
        },
      });
    } finally {
      await settlement.close();
    }
    const { study, files } = result;
    if (tty) err("\n");
    out(`\n${study.scenario.title}\n`);
    if (study.scenario.pricePaths) out(`Prices: ${pricePathsLine(study.scenario.pricePaths)}\n`);
    if (o.policy === "agents")
      out(
        "Agents: the shipped agents (xstate machines, signed messages, simulated clock) (--policy agents)\n",
      );
    out("\n");
    out(formatSummaryTable(study, { color: process.stdout.isTTY === true }));
    out(`\n${settlementReportLines(study.settlement).join("\n")}\n`);
    if (files)
      out(
        `\nReport: ${files.html} (${files.render.charts} charts, rendered in ${(files.render.totalMs / 1000).toFixed(1)} s)\nData:   ${files.json}, ${files.runsCsv}, ${files.summaryCsv}\n`,
      );
    return 0;
  } catch (error) {
    if (error instanceof BaseError) {
      err(`\nerror: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

export { parseSeeds };

runCliIfMain(import.meta.url, "simulation", main);
