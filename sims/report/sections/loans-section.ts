/**
 * Negotiated loans: how they ended per mode (repaid, liquidated, defaulted, outstanding at the horizon)
 * on average over seeds, the principal left outstanding at the horizon seed by seed, a table per
 * mode and swept value, one seed's loans as timelines, and that seed's loans still open at the
 * horizon one by one.
 */
import { distributionSpec } from "../charts/distribution-chart.ts";
import { loanOutcomesSpec, loanTimelineSpec, timelineLoans } from "../charts/loan-charts.ts";
import { hours, usd } from "../format.ts";
import { esc, table, withInterval } from "../html.ts";
import { meanInterval, wilsonShare } from "../intervals.ts";
import type { MetricDefinition } from "../metric-definitions.ts";
import type { LoanOutcome } from "../record-loans.ts";
import type { GroupDetail } from "../report-detail.ts";
import { note, panelOf, type Section, type SectionContext, sweepPanels } from "./section.ts";

const NEGOTIATING = new Set(["negotiation", "both"]);
const TIMELINE_ROWS = 40;

const OUTSTANDING_USD: MetricDefinition = {
  key: "outstandingLoanUsd",
  label: "Principal outstanding at the horizon",
  noun: "principal outstanding at the horizon",
  unit: "USD",
  definition: "",
  format: usd,
};

type WithLoans = GroupDetail & { loans: NonNullable<GroupDetail["loans"]> };

export async function loansSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const detail = view.detail;
  const negotiatingModes = view.modes.filter((m) => NEGOTIATING.has(m));
  const negotiated = view.groups.some((g) =>
    [...(g.values.get("negotiatedUsd")?.values() ?? [])].some((x) => x > 0),
  );
  const groups = (detail?.groups ?? []).filter((g): g is WithLoans => g.loans !== undefined);
  const section = (html: string): Section => ({ id: "loans", title: "Negotiated loans", html });
  if (groups.length === 0) {
    if (negotiated)
      return section(
        note(
          "Loans were negotiated, but their lifecycles were not recorded: this study's runs settled on remote workers. Run it with runContagionStudy (npm run sim:study) for loan timelines.",
        ),
      );
    if (negotiatingModes.length === 0) return undefined;
    return section(note("No loan was negotiated in any run."));
  }
  const totalLoans = groups.reduce((s, g) => s + g.loans.perSeed.reduce((a, x) => a + x.loans, 0), 0);
  if (totalLoans === 0)
    return section(
      note(
        `No loan was negotiated in any run (${groups.reduce((s, g) => s + g.seeds.length, 0)} runs, modes ${view.modes.map(esc).join(", ")}).`,
      ),
    );

  const parts: string[] = [];
  const horizon = detail!.horizonHours;
  // Outcomes per mode (a panel per swept value).
  const outcomeRows = groups
    .filter((g) => NEGOTIATING.has(g.mode))
    .flatMap((g) => {
      const n = g.loans.perSeed.length;
      const mean = (f: (s: (typeof g.loans.perSeed)[number]) => number) =>
        g.loans.perSeed.reduce((a, s) => a + f(s), 0) / n;
      return (["repaid", "liquidated", "defaulted", "outstanding"] as LoanOutcome[]).map((outcome) => ({
        mode: g.mode as string,
        outcome,
        loans: mean((s) => s[outcome]),
        panel: panelOf(g.sweep),
      }));
    });
  const outcomes = await charts.figure({
    name: "loan outcomes",
    spec: loanOutcomesSpec({ rows: outcomeRows, seeds: view.seeds, panels: sweepPanels(view) }),
  });
  const distribution = await charts.figure({
    name: "outstanding at the horizon",
    spec: distributionSpec({
      metric: OUTSTANDING_USD,
      rows: groups
        .filter((g) => NEGOTIATING.has(g.mode))
        .flatMap((g) =>
          g.loans.perSeed.map((s) => ({
            mode: g.mode as string,
            seed: s.seed,
            value: s.outstandingUsd,
            panel: g.sweep === undefined ? undefined : String(g.sweep),
          })),
        ),
      modes: view.modes.filter((m) => NEGOTIATING.has(m)),
      panels: sweepPanels(view),
    }),
  });
  parts.push(`<div class="grid">${outcomes}${distribution}</div>`);

  const rows = groups
    .filter((g) => NEGOTIATING.has(g.mode))
    .map((g) => {
      const n = g.loans.perSeed.length;
      const per = (f: (s: (typeof g.loans.perSeed)[number]) => number, format: (x: number) => string) =>
        withInterval(format, meanInterval(g.loans.perSeed.map(f)), n);
      const fmt = (x: number) => x.toFixed(1);
      const anyOpen = wilsonShare(g.loans.perSeed.filter((s) => s.outstanding > 0).length, n);
      return [
        ...(view.study.sweep ? [esc(String(g.sweep))] : []),
        `<span class="mode-dot mode-${esc(g.mode)}"></span>${esc(g.mode)}`,
        per((s) => s.loans, fmt),
        per((s) => s.margined, fmt),
        per((s) => s.toppedUp, fmt),
        per((s) => s.everLiquidated, fmt),
        per((s) => s.repaid, fmt),
        per((s) => s.liquidated, fmt),
        per((s) => s.defaulted, fmt),
        per((s) => s.outstanding, fmt),
        per((s) => s.outstandingUsd, usd),
        withInterval((x) => `${(x * 100).toFixed(0)}%`, anyOpen, n),
      ];
    });
  parts.push(
    table({
      head: [
        ...(view.study.sweep ? [esc(String(view.study.sweep.option))] : []),
        "mode",
        "Loans per run",
        "Margined",
        "Topped up",
        "Liquidated (any)",
        "Repaid",
        "Liquidated in full",
        "Defaulted",
        "Outstanding at the horizon",
        "Principal outstanding (USD)",
        "Seeds with a loan outstanding",
      ],
      rows,
      caption: `Per run, mean over seeds with a 95% interval (shares: Wilson). The horizon is hour ${horizon}. Margined: the loan carries a negotiated liquidation threshold and bonus. Topped up: its borrower added collateral before it became liquidatable. Liquidated (any): a liquidator (its lender) repaid part or all of its debt for collateral plus the bonus. Each loan ends once: repaid, liquidated in full, defaulted, or outstanding at the horizon.`,
      className: "numbers",
    }),
  );

  // One seed's loans, one by one (first swept value).
  const kept = groups.filter((g) => g.sweep === view.sweepValues[0] && g.loans.kept.length > 0);
  const seed = detail!.keptSeed;
  for (const g of kept) {
    const shown = timelineLoans(g.loans.kept, TIMELINE_ROWS).length;
    const late = g.loans.kept.filter((l) => l.maturityHour > horizon).length;
    const left = g.loans.kept.length - shown;
    parts.push(
      await charts.figure({
        name: `loan timeline ${g.mode}`,
        spec: loanTimelineSpec({
          title: `Loans negotiated with ${g.mode}, seed ${seed}`,
          loans: g.loans.kept,
          horizonHours: horizon,
          maxRows: TIMELINE_ROWS,
        }),
        caption: `${g.loans.kept.length} loans in this run${left > 0 ? `; the ${shown} largest shown, ${left} smaller ones in results.json` : ""}${
          late > 0 ? `; ${late} mature after the ${horizon}-hour horizon (no tick)` : ""
        }.`,
        wide: true,
      }),
    );
    const open = g.loans.kept.filter((l) => l.outcome === "outstanding");
    if (open.length > 0)
      parts.push(
        table({
          head: ["Lender", "Borrower", "Principal", "Rate", "Settled", "Maturity", "Overdue at the horizon"],
          rows: open
            .sort((a, b) => b.principalUsd - a.principalUsd)
            .map((l) => [
              esc(l.lender),
              esc(l.borrower),
              `${usd(l.principalUsd)} <small>${esc(l.asset)}</small>`,
              `${(l.rateBps / 100).toFixed(2)}%`,
              hours(l.settledHour),
              hours(l.maturityHour),
              l.maturityHour < horizon ? `yes, by ${hours(horizon - l.maturityHour)}` : "no",
            ]),
          caption: `Outstanding at the horizon with ${esc(g.mode)}, seed ${seed}: ${open.length} loan${open.length === 1 ? "" : "s"}, ${usd(open.reduce((s, l) => s + l.principalUsd, 0))}`,
          className: "numbers",
        }),
      );
  }
  return section(
    `<p class="lead">Loans the agents negotiated and settled on the arbitration contract, from its Settled, Repaid, DefaultClaimed, Liquidated and ToppedUp events.</p>${parts.join("")}`,
  );
}
