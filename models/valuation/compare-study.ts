/**
 * Rule against model-driven lending in the contagion study, same seeds, one command: agents off
 * (no loans: the reference for what lending avoids), negotiation with the rule lender, and
 * negotiation with the model-driven lender (the shipped valuation model, or --weights). Prints a
 * markdown table of means per run: loans made, their USD, defaults and loans still open at the
 * horizon, bad debt (which includes lenders' losses on defaulted loans) and insolvent debt
 * avoided against agents off, depositors' losses and unpaid withdrawals.
 *   npx tsx models/valuation/compare-study.ts [--scenario NAME] [--seeds N] [--weights FILE]
 */
import { parseArgs } from "node:util";
import type { LendingPolicy } from "../../sims/engine/builtin-policy.ts";
import type { Mode } from "../../sims/engine/engine-policy.ts";
import { runContagionStudy } from "../../sims/engine/run-contagion-study.ts";
import type { RunTotals } from "../../sims/engine/run-metrics.ts";
import { VALUATION_WEIGHTS } from "./paths.ts";
import { readValuationFile } from "./valuation-model.ts";

const { values } = parseArgs({
  options: { scenario: { type: "string" }, seeds: { type: "string" }, weights: { type: "string" } },
});
const seeds = Number(values.seeds ?? 10);
const model = readValuationFile(values.weights ?? VALUATION_WEIGHTS);

type Row = { name: string; totals: RunTotals[] };
const run = async (mode: Mode, lending: LendingPolicy): Promise<RunTotals[]> => {
  const { study } = await runContagionStudy({
    ...(values.scenario ? { scenario: values.scenario } : {}),
    seeds,
    modes: [mode],
    settlement: "ledger",
    lending,
    valuationModel: model,
  });
  process.stderr.write(`  ${mode} / ${lending}: ${study.records.length} runs\n`);
  return study.records.filter((r) => r.mode === mode).map((r) => r.totals);
};

const rows: Row[] = [
  { name: "agents off (no loans)", totals: await run("off", "rule") },
  { name: "rule lender", totals: await run("negotiation", "rule") },
  { name: "model-driven lender", totals: await run("negotiation", "model-driven") },
];
const mean = (xs: RunTotals[], f: (t: RunTotals) => number) => xs.reduce((s, t) => s + f(t), 0) / xs.length;
const usd = (x: bigint) => Number(x) / 1e8;
const money = (x: number) => {
  const a = Math.abs(x);
  const s =
    a >= 1e9
      ? `$${(a / 1e9).toFixed(2)}B`
      : a >= 1e6
        ? `$${(a / 1e6).toFixed(2)}M`
        : `$${(a / 1e3).toFixed(1)}k`;
  return x < 0 ? `-${s}` : s;
};
const off = rows[0]!.totals;
const offBad = mean(off, (t) => usd(t.badDebtUsd8));
const offInsolvent = mean(off, (t) => usd(t.insolventDebtUsd8));
console.log(
  `${values.scenario ?? "contagion demo (default)"}: ${seeds} seeds, ledger settlement; means per run\n`,
);
console.log(
  "| lending | loans | loans made (USD) | defaults | open at horizon | bad debt | bad debt avoided | insolvent debt | insolvent debt avoided | depositors' losses | unpaid withdrawals (USD·h) |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const bad = mean(r.totals, (t) => usd(t.badDebtUsd8));
  const insolvent = mean(r.totals, (t) => usd(t.insolventDebtUsd8));
  console.log(
    `| ${r.name} | ${mean(r.totals, (t) => t.loans).toFixed(1)} | ${money(mean(r.totals, (t) => usd(t.negotiatedUsd8)))} | ${mean(r.totals, (t) => t.defaults).toFixed(1)} | ${mean(r.totals, (t) => t.loansOutstanding).toFixed(1)} | ${money(bad)} | ${money(offBad - bad)} | ${money(insolvent)} | ${money(offInsolvent - insolvent)} | ${money(mean(r.totals, (t) => usd(t.depositorLossUsd8)))} | ${money(mean(r.totals, (t) => usd(t.unpaidWithdrawalUsd8Hours)))} |`,
  );
}
