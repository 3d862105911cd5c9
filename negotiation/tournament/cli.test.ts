/**
 * The tournament command's options (issue 10, item 12): `--help` explains every option and every
 * column of both tables, and a bad option is refused before anything runs, with one line saying
 * what is wrong (exit code 2), never a stack trace. The parser is tested directly, and the command
 * as a process.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INTEGER_OPTIONS, parseTournamentArgs, TOURNAMENT_HELP, TournamentUsageError } from "./cli-args.ts";
import { PAIR_COLUMNS, RANKING_COLUMNS } from "./format-table.ts";
import { STRATEGY_NAMES } from "./roster.ts";

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "cli.ts"), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

const refusal = (args: string[]): string => {
  try {
    parseTournamentArgs(args);
  } catch (err) {
    expect(err).toBeInstanceOf(TournamentUsageError);
    return (err as TournamentUsageError).shortMessage;
  }
  throw new Error(`${args.join(" ")} was accepted`);
};

describe("tournament options", () => {
  it("defaults: every strategy, 20 rounds, 60 scenarios, seed 1, 50 ms, no file", () => {
    expect(parseTournamentArgs([])).toEqual({
      kind: "run",
      options: {
        strategies: STRATEGY_NAMES,
        rounds: 20,
        scenarios: 60,
        seed: 1,
        latencyMs: 50,
        out: undefined,
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "tournament-args-"));
    expect(
      parseTournamentArgs([
        "--strategies",
        " linear , tit-for-tat",
        "--rounds=8",
        "--scenarios",
        "3",
        "--seed",
        "0",
        "--latency",
        "7",
        "--out",
        join(dir, "r.json"),
      ]),
    ).toEqual({
      kind: "run",
      options: {
        strategies: ["linear", "tit-for-tat"],
        rounds: 8,
        scenarios: 3,
        seed: 0,
        latencyMs: 7,
        out: join(dir, "r.json"),
      },
    });
    expect(parseTournamentArgs(["-h"])).toEqual({ kind: "help" });
    expect(parseTournamentArgs(["--rounds", "5", "--help"])).toEqual({ kind: "help" });
  });

  it("refuses each bad option saying what is wrong and what is allowed", () => {
    expect(refusal(["--bogus"])).toBe("Unknown option --bogus.");
    expect(refusal(["--round", "3"])).toBe("Unknown option --round. Did you mean --rounds?");
    expect(refusal(["10"])).toBe(
      'Unexpected argument "10": every value follows its option (e.g. --rounds 10).',
    );
    expect(refusal(["--rounds"])).toBe("--rounds needs a value (e.g. --rounds 10).");
    expect(refusal(["--seed", "-1"])).toBe(
      '--seed needs a value; "-1" looks like an option (write --seed=-1 if it is the value).',
    );
    expect(refusal(["--help=yes"])).toBe("--help does not take a value.");
    for (const [name, o] of Object.entries(INTEGER_OPTIONS)) {
      for (const bad of [String(o.min - 1), String(o.max + 1), "1.5", "1e3", "ten", "", "0x10"])
        expect(refusal([`--${name}=${bad}`])).toBe(
          `--${name} must be a whole number from ${o.min} to ${o.max} (${o.what}), got "${bad}".`,
        );
    }
    expect(refusal(["--strategies", "linear,shrewd"])).toBe(
      `Unknown strategy "shrewd". Known: ${STRATEGY_NAMES.join(", ")}.`,
    );
    expect(refusal(["--strategies", "linear,,boulware"])).toMatch(
      /^--strategies takes a comma-separated list/,
    );
    expect(refusal(["--strategies", "linear,linear"])).toBe("--strategies names linear more than once.");
    expect(refusal(["--out", "/nonexistent-folder/r.json"])).toBe(
      "--out /nonexistent-folder/r.json: the folder /nonexistent-folder does not exist (create it first).",
    );
    expect(refusal(["--out", tmpdir()])).toMatch(/is a folder; give a file name/);
  });

  it("--help explains every option, strategy and column of both tables", () => {
    for (const name of [...Object.keys(INTEGER_OPTIONS), "strategies", "out", "help"])
      expect(TOURNAMENT_HELP).toContain(`--${name}`);
    for (const s of STRATEGY_NAMES)
      expect(TOURNAMENT_HELP).toMatch(new RegExp(`\\n\\s+${s.replace("+", "\\+")}\\s{2,}\\S`));
    for (const c of [...PAIR_COLUMNS, ...RANKING_COLUMNS]) {
      expect(TOURNAMENT_HELP).toMatch(new RegExp(`\\n  ${c.header}\\s+\\S`));
      expect(TOURNAMENT_HELP.replace(/\s+/g, " ")).toContain(c.help);
    }
  });

  it("as a command: --help on stdout with exit 0; a bad option is one message on stderr, exit 2, no stack", () => {
    const help = cli("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(TOURNAMENT_HELP);
    expect(help.stdout).toContain("d_pareto");
    for (const args of [["--bogus"], ["--rounds", "0"]]) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^tournament: \S.*\n\nRun `npm run tournament -- --help`/);
      expect(r.stderr).not.toMatch(/\n\s+at |ERR_PARSE_ARGS|node:internal/);
    }
  });
});
