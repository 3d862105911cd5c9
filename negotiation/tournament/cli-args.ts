/**
 * The tournament command's options: parsing (node:util parseArgs, strict), checking each value
 * with a message that says what was wrong and what is allowed, and the `--help` text, which
 * explains the options and every column of the two tables (format-table.ts). Pure: the command
 * (cli.ts) prints and exits.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BaseError } from "../../core/errors.ts";
import { type Column, PAIR_COLUMNS, RANKING_COLUMNS } from "./format-table.ts";
import { STRATEGY_NAMES, type StrategyName } from "./roster.ts";

export class TournamentUsageError extends BaseError {
  override name = "TournamentUsageError";
  override readonly code = "TournamentUsage";
  constructor(message: string) {
    super(message, {
      metaMessages: ["Run `npm run tournament -- --help` for the options and what they mean."],
    });
  }
}

export type TournamentOptions = {
  strategies: StrategyName[];
  rounds: number;
  scenarios: number;
  seed: number;
  latencyMs: number;
  /** Where to write the result as JSON, if anywhere. */
  out: string | undefined;
};

/** Each integer option: its default and its allowed range. */
export const INTEGER_OPTIONS = {
  rounds: { default: 20, min: 2, max: 1_000, what: "most offers per side in a session" },
  scenarios: { default: 60, min: 1, max: 10_000, what: "seeded scenarios every pairing plays" },
  seed: { default: 1, min: 0, max: 0xffffffff, what: "seed of the scenarios" },
  latency: { default: 50, min: 1, max: 60_000, what: "simulated one-way message latency, ms" },
} as const;
type IntegerOption = keyof typeof INTEGER_OPTIONS;

/** One line per strategy of the roster (roster.ts). */
export const STRATEGY_HELP: Record<StrategyName, string> = {
  boulware: "time-dependent on utility, concedes late (e < 1)",
  linear: "time-dependent on utility, concedes evenly",
  conceder: "time-dependent on utility, concedes early (e > 1)",
  "linear+bayes": "linear, bidding with a Bayesian model of the opponent's weights",
  "tit-for-tat": "relative tit-for-tat: concedes as much as the opponent did",
  "model-driven": "reservation values asked afresh each step, frequency opponent model",
  "learned-valuation":
    "model-driven, the lender's floor from the learned valuation model (models/valuation) as well",
  "rate-only": "baseline: today's agent policy, conceding on the rate alone",
};

const wrap = (text: string, indent: number, width = 100) => {
  const words = text.split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
};

const NAME_WIDTH = Math.max(...STRATEGY_NAMES.map((s) => s.length)) + 2;
const HEADER_WIDTH = Math.max(...[...PAIR_COLUMNS, ...RANKING_COLUMNS].map((c) => c.header.length)) + 2;
const columnHelp = <R>(columns: readonly Column<R>[]) =>
  columns.map((c) => `  ${c.header.padEnd(HEADER_WIDTH)}${wrap(c.help, HEADER_WIDTH + 2)}`).join("\n");

export const TOURNAMENT_HELP = `npm run tournament -- [options]

Plays every negotiation strategy against every other, in both roles (lender and borrower), on
seeded loan scenarios, each session through the real alternating-offers machine on a simulated
clock (no network, no crypto). Prints two tables on stdout and progress on stderr; --out also
writes the whole result as JSON. Same options, same seed: same result.

Options
  --strategies a,b,...  strategies to field (default: all):
${STRATEGY_NAMES.map((s) => `                          ${s.padEnd(NAME_WIDTH)}${STRATEGY_HELP[s]}`).join("\n")}
${(Object.keys(INTEGER_OPTIONS) as IntegerOption[])
  .map((k) => {
    const o = INTEGER_OPTIONS[k];
    const flag = `  --${k} N`.padEnd(24);
    return `${flag}${o.what}, ${o.min}..${o.max} (default ${o.default})`;
  })
  .join("\n")}
  --out file.json       also write the result as JSON (its folder must exist)
  -h, --help            this text

Pairings table: one row per (lender, borrower) pairing, means over its sessions
${columnHelp(PAIR_COLUMNS)}

Ranking table: one row per strategy, both roles, best utility first
${columnHelp(RANKING_COLUMNS)}

Utilities are each side's own (linear additive over amount, rate, tenor, collateral and haircut,
weights drawn per scenario), so they compare strategies, not sides. A scenario "has a zone of
agreement" when some outcome is acceptable to both sides; the header says how many do.

Example
  npm run tournament -- --strategies boulware,tit-for-tat --scenarios 20 --seed 7 --out t.json
`;

function integer(name: IntegerOption, value: string | undefined): number {
  const o = INTEGER_OPTIONS[name];
  if (value === undefined) return o.default;
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < o.min || n > o.max)
    throw new TournamentUsageError(
      `--${name} must be a whole number from ${o.min} to ${o.max} (${o.what}), got "${value}".`,
    );
  return n;
}

function strategies(value: string | undefined): StrategyName[] {
  if (value === undefined) return [...STRATEGY_NAMES];
  const names = value.split(",").map((s) => s.trim());
  if (names.some((s) => s === ""))
    throw new TournamentUsageError(
      `--strategies takes a comma-separated list of names, got "${value}". Known: ${STRATEGY_NAMES.join(", ")}.`,
    );
  const unknown = names.filter((s) => !(STRATEGY_NAMES as readonly string[]).includes(s));
  if (unknown.length)
    throw new TournamentUsageError(
      `Unknown ${unknown.length === 1 ? "strategy" : "strategies"} ${unknown.map((s) => `"${s}"`).join(", ")}. Known: ${STRATEGY_NAMES.join(", ")}.`,
    );
  const repeated = names.filter((s, i) => names.indexOf(s) !== i);
  if (repeated.length)
    throw new TournamentUsageError(`--strategies names ${[...new Set(repeated)].join(", ")} more than once.`);
  return names as StrategyName[];
}

function outFile(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new TournamentUsageError("--out needs a file name.");
  const path = resolve(value);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new TournamentUsageError(`--out ${value}: the folder ${folder} does not exist (create it first).`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new TournamentUsageError(
      `--out ${value} is a folder; give a file name, e.g. ${value}/result.json.`,
    );
  return value;
}

/** What the command line asks for: help, or a run with checked options. Throws
 *  TournamentUsageError, saying what is wrong, for anything else. */
export function parseTournamentArgs(
  argv: readonly string[],
): { kind: "help" } | { kind: "run"; options: TournamentOptions } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        rounds: { type: "string" },
        scenarios: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
        strategies: { type: "string" },
        latency: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new TournamentUsageError(usageMessage(err, argv));
  }
  if (values.help) return { kind: "help" };
  const text = (k: string) => values[k] as string | undefined;
  return {
    kind: "run",
    options: {
      strategies: strategies(text("strategies")),
      rounds: integer("rounds", text("rounds")),
      scenarios: integer("scenarios", text("scenarios")),
      seed: integer("seed", text("seed")),
      latencyMs: integer("latency", text("latency")),
      out: outFile(text("out")),
    },
  };
}

const OPTION_NAMES = ["strategies", "rounds", "scenarios", "seed", "latency", "out", "help"];

/** The option a mistyped one most likely meant (edit distance at most 2), if any. */
function nearestOption(typed: string): string | undefined {
  const name = typed.replace(/^-+/, "").split("=")[0]!;
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(
          d[i - 1]![j]! + 1,
          d[i]![j - 1]! + 1,
          d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
    return d[a.length]![b.length]!;
  };
  const best = OPTION_NAMES.map((o) => ({ o, d: distance(name, o) })).sort((x, y) => x.d - y.d)[0]!;
  return best.d <= 2 ? `--${best.o}` : undefined;
}

/** parseArgs' own errors, said plainly (its messages mention its option syntax). */
function usageMessage(err: unknown, argv: readonly string[]): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const guess = quoted ? nearestOption(quoted) : undefined;
      return `Unknown option ${quoted ?? message}.${guess ? ` Did you mean ${guess}?` : ""}`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Unexpected argument ${quoted ? `"${quoted}"` : message}: every value follows its option (e.g. --rounds 10).`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = (quoted ?? "an option").replace(/ <value>$/, "").replace(/^-\w, /, "");
      if (message.includes("does not take an argument")) return `${option} does not take a value.`;
      const next = argv[argv.indexOf(option) + 1];
      return message.includes("ambiguous") && next !== undefined
        ? `${option} needs a value; "${next}" looks like an option (write ${option}=${next} if it is the value).`
        : `${option} needs a value (e.g. ${option} 10).`;
    }
    default:
      return message;
  }
}
