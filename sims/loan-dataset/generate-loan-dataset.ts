/**
 * The loan dataset: proposed loans with their outcomes over scenario families and seeds of the
 * engine (see proposal-policy.ts). A family is a library scenario (a historical crisis or a
 * synthetic shock); each seed draws that crisis's prices afresh (bootstrap paths), so a family's
 * rows share a crisis and held-out evaluation by family asks the model about a crisis it never
 * saw. Deterministic per (scenario, seed). Loans still open when a run ends are labelled at the
 * horizon, marked to market (counted in `markedAtEnd`); only loans proposed in the last step
 * stay unlabelled (`censored`).
 */
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { runEngine } from "../engine/run-engine.ts";
import { listScenarios, loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import type { LoanRow } from "./loan-row.ts";
import { createProposalPolicy, defaultProposalDraws, type ProposalDraws } from "./proposal-policy.ts";

/** Every family the dataset draws from: the study's demo and the scenario library. */
export function loanDatasetFamilies(): string[] {
  return ["contagion-demo", ...listScenarios()];
}

export type GenerateLoanDatasetParameters = {
  families?: readonly string[];
  /** Seeds per family: 1..seeds. */
  seeds: number;
  draws?: ProposalDraws;
  onRun?: (done: number, total: number, family: string) => void;
};

/** `runs`: engine runs (two per family and seed with `source: "both"`). */
export type LoanDataset = { rows: LoanRow[]; censored: number; markedAtEnd: number; runs: number };

export async function generateLoanDataset(p: GenerateLoanDatasetParameters): Promise<LoanDataset> {
  const families = p.families ?? loanDatasetFamilies();
  const rows: LoanRow[] = [];
  let censored = 0;
  let markedAtEnd = 0;
  let done = 0;
  let runs = 0;
  const total = families.length * p.seeds;
  for (const family of families) {
    const base = loadScenario(family === "contagion-demo" ? DEFAULT_SCENARIO : family);
    const scenario = withPricePaths({ scenario: base, paths: "bootstrap" });
    for (let seed = 1; seed <= p.seeds; seed++) {
      const draws = p.draws ?? defaultProposalDraws;
      // "both": one run of the study's own RFQs and one of random terms per seed. In one run the
      // random loans relieved the very distress that makes a borrower ask (25 study loans over
      // 48 runs); apart, the study's RFQs arrive at the states the study's borrowers are in.
      const sources = draws.source === "both" ? (["study", "random"] as const) : [draws.source];
      for (const source of sources) {
        const policy = createProposalPolicy({ ...draws, source });
        const run = await runEngine({ scenario, seed, policy });
        runs++;
        for (const loan of policy.loans) {
          if (!loan.outcome) {
            censored++;
            continue;
          }
          if (loan.markedAtEnd) markedAtEnd++;
          rows.push({
            family,
            scenario: run.scenario,
            seed,
            step: loan.step,
            resolvedStep: loan.resolvedStep ?? loan.step,
            lender: run.protocols[loan.lender]!.id,
            borrower: run.protocols[loan.borrower]!.id,
            borrowerKind: run.protocols[loan.borrower]!.kind,
            borrowerCashCover: loan.borrowerCashCover,
            source: loan.source,
            markedAtEnd: loan.markedAtEnd ?? false,
            observation: loan.observation,
            ...loan.outcome,
          });
        }
      }
      p.onRun?.(++done, total, family);
    }
  }
  return { rows, censored, markedAtEnd, runs };
}
