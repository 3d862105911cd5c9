/**
 * Plain-text tables of a tournament result, NegMAS style. Each column is defined once, with its
 * header, what it means and how its cell is written: the tables and the command's `--help` (which
 * explains every column) both read these definitions.
 */
import type { PairResult, StrategyScore, TournamentResult } from "./tournament.ts";

export type Column<R> = {
  header: string;
  /** What the column means, for `--help`. */
  help: string;
  cell: (row: R) => string;
};

const f = (x: number, digits = 3) => x.toFixed(digits);

/** The pairings table: one row per (lender strategy, borrower strategy), over every scenario. */
export const PAIR_COLUMNS: readonly Column<PairResult>[] = [
  { header: "lender", help: "the lender's strategy", cell: (x) => x.lender },
  { header: "borrower", help: "the borrower's strategy", cell: (x) => x.borrower },
  {
    header: "agree",
    help: "share of the pairing's sessions that ended with a signed agreement (0 to 1)",
    cell: (x) => f(x.agreementRate, 2),
  },
  {
    header: "u_lender",
    help: "mean utility of the outcome to the lender, 0 (its worst terms) to 1 (its ideal); a session without agreement counts its reservation utility",
    cell: (x) => f(x.lenderUtility),
  },
  {
    header: "u_borrower",
    help: "the same for the borrower",
    cell: (x) => f(x.borrowerUtility),
  },
  {
    header: "offers",
    help: "mean offers exchanged per session, both sides together",
    cell: (x) => f(x.offers, 1),
  },
  {
    header: "d_nash",
    help: "mean distance, in the plane of the two utilities, from the outcome to the Nash bargaining solution (the agreement maximising the product of both sides' gains over walking away): 0 is the fair deal",
    cell: (x) => f(x.nashDistance),
  },
  {
    header: "d_pareto",
    help: "mean distance from the outcome to the nearest Pareto-optimal agreement (one no other agreement beats for both sides): 0 leaves nothing on the table",
    cell: (x) => f(x.paretoDistance),
  },
];

/** The ranking table: one row per strategy, over both roles, best mean utility first. */
export const RANKING_COLUMNS: readonly Column<StrategyScore>[] = [
  { header: "strategy", help: "the strategy", cell: (x) => x.strategy },
  {
    header: "utility",
    help: "mean of as_lender and as_borrower: what the ranking sorts by",
    cell: (x) => f(x.utility),
  },
  {
    header: "as_lender",
    help: "its mean utility when it lends, against every borrower strategy",
    cell: (x) => f(x.asLender),
  },
  {
    header: "as_borrower",
    help: "its mean utility when it borrows, against every lender strategy",
    cell: (x) => f(x.asBorrower),
  },
  {
    header: "agree",
    help: "share of its sessions (both roles) that ended with an agreement",
    cell: (x) => f(x.agreementRate, 2),
  },
  {
    header: "d_nash",
    help: "mean distance to the Nash solution, both roles",
    cell: (x) => f(x.nashDistance),
  },
  {
    header: "d_pareto",
    help: "mean distance to the Pareto frontier, both roles",
    cell: (x) => f(x.paretoDistance),
  },
];

function table<R>(columns: readonly Column<R>[], rows: readonly R[], textColumns: number): string {
  const headers = columns.map((c) => c.header);
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i < textColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

export function formatTournament(r: TournamentResult): string {
  const { parameters: p } = r;
  const head =
    `Tournament: ${p.strategies.length} strategies, ${p.scenarios} scenarios ` +
    `(${r.feasibleScenarios} with a zone of agreement), up to ${p.rounds} rounds, seed ${p.seed}`;
  const pairs = table(PAIR_COLUMNS, r.pairs, 2);
  const ranking = table(RANKING_COLUMNS, r.ranking, 1);
  return `${head}\n\nPairings (lender x borrower)\n${pairs}\n\nRanking\n${ranking}\n`;
}
