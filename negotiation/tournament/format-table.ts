/** Plain-text tables of a tournament result, NegMAS style. */
import type { TournamentResult } from "./tournament.ts";

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 && headers[i] !== "#" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const f = (x: number, digits = 3) => x.toFixed(digits);

export function formatTournament(r: TournamentResult): string {
  const { parameters: p } = r;
  const head =
    `Tournament: ${p.strategies.length} strategies, ${p.scenarios} scenarios ` +
    `(${r.feasibleScenarios} with a zone of agreement), up to ${p.rounds} rounds, seed ${p.seed}`;
  const pairs = table(
    ["lender", "borrower", "agree", "u_lender", "u_borrower", "offers", "d_nash", "d_pareto"],
    r.pairs.map((x) => [
      x.lender,
      x.borrower,
      f(x.agreementRate, 2),
      f(x.lenderUtility),
      f(x.borrowerUtility),
      f(x.offers, 1),
      f(x.nashDistance),
      f(x.paretoDistance),
    ]),
  );
  const ranking = table(
    ["strategy", "utility", "as_lender", "as_borrower", "agree", "d_nash", "d_pareto"],
    r.ranking.map((x) => [
      x.strategy,
      f(x.utility),
      f(x.asLender),
      f(x.asBorrower),
      f(x.agreementRate, 2),
      f(x.nashDistance),
      f(x.paretoDistance),
    ]),
  );
  return `${head}\n\nPairings (lender x borrower)\n${pairs}\n\nRanking\n${ranking}\n`;
}
