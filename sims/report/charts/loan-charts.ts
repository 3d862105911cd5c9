/**
 * Negotiated loans: a timeline of one seed's loans (settled -> repaid, liquidated, defaulted, or still
 * outstanding at the horizon, with each loan's maturity as a tick), and how loans ended per mode
 * on average over seeds.
 */
import type { VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { usd } from "../format.ts";
import type { LoanOutcome, LoanRecord } from "../record-loans.ts";
import { HOUR_AXIS_TITLE, modeScale } from "./chart-theme.ts";
import { type SweepPanels, sweepFacet } from "./sweep-panels.ts";

export const OUTCOME_COLORS: Record<LoanOutcome, string> = {
  repaid: "#16a34a",
  liquidated: "#7c3aed",
  defaulted: "#dc2626",
  outstanding: "#f59e0b",
};
const OUTCOME_LABELS: Record<LoanOutcome, string> = {
  repaid: "repaid",
  liquidated: "liquidated in full",
  defaulted: "defaulted",
  outstanding: "outstanding at the horizon",
};
const OUTCOMES: LoanOutcome[] = ["repaid", "liquidated", "defaulted", "outstanding"];
const outcomeScale = {
  domain: OUTCOMES.map((o) => OUTCOME_LABELS[o]),
  range: OUTCOMES.map((o) => OUTCOME_COLORS[o]),
};

export type LoanTimelineSpecParameters = {
  title: string;
  loans: readonly LoanRecord[];
  horizonHours: number;
  /** At most this many rows (the largest loans); the caption says how many were left out. */
  maxRows?: number | undefined;
};

/** The loans a timeline shows: the largest `maxRows`, in order of settlement. */
export function timelineLoans(loans: readonly LoanRecord[], maxRows = 40): LoanRecord[] {
  const largest = [...loans].sort((a, b) => b.principalUsd - a.principalUsd).slice(0, maxRows);
  return largest.sort((a, b) => a.settledHour - b.settledHour || b.principalUsd - a.principalUsd);
}

export function loanTimelineSpec({
  title,
  loans,
  horizonHours,
  maxRows = 40,
}: LoanTimelineSpecParameters): VegaLiteSpec {
  const shown = timelineLoans(loans, maxRows);
  const rows = shown.map((l, i) => ({
    row: `${String(i + 1).padStart(2, "0")}. ${l.lender} to ${l.borrower}, ${usd(l.principalUsd)} ${l.asset}`,
    start: l.settledHour,
    end: l.closedHour ?? horizonHours,
    maturity: l.maturityHour <= horizonHours ? l.maturityHour : null,
    outcome: OUTCOME_LABELS[l.outcome],
    rate: `${(l.rateBps / 100).toFixed(2)}%`,
  }));
  const y = { field: "row", type: "ordinal", sort: null, axis: { title: null, labelLimit: 320 } };
  const x = {
    field: "start",
    type: "quantitative",
    scale: { domain: [0, horizonHours], nice: false },
    axis: { title: HOUR_AXIS_TITLE },
  };
  return {
    title: {
      text: title,
      subtitle: "Bar: from settlement to repayment, default claim or the horizon; tick: maturity",
    },
    data: { values: rows },
    width: 480,
    height: { step: 16 },
    layer: [
      {
        mark: { type: "bar", height: 10, cornerRadius: 2 },
        encoding: {
          y,
          x,
          x2: { field: "end" },
          color: { field: "outcome", type: "nominal", scale: outcomeScale, legend: { title: "Outcome" } },
          tooltip: [
            { field: "row", title: "Loan" },
            { field: "start", title: "Settled (h)" },
            { field: "end", title: "Ended (h)" },
            { field: "rate", title: "Rate" },
            { field: "outcome", title: "Outcome" },
          ],
        },
      },
      {
        transform: [{ filter: "datum.maturity !== null" }],
        mark: { type: "tick", color: "#111827", thickness: 2, size: 14 },
        encoding: { y, x: { field: "maturity", type: "quantitative" } },
      },
    ],
  } as VegaLiteSpec;
}

export type LoanOutcomesSpecParameters = {
  /** Mean loans per run by outcome, per mode (and swept value: `panel`). */
  rows: readonly { mode: string; outcome: LoanOutcome; loans: number; panel?: string | undefined }[];
  seeds: number;
  /** A column per swept value. */
  panels?: SweepPanels | undefined;
};

export function loanOutcomesSpec({ rows, seeds, panels }: LoanOutcomesSpecParameters): VegaLiteSpec {
  const modes = modeScale([...new Set(rows.map((r) => r.mode))]);
  const title = {
    text: "How negotiated loans ended",
    subtitle: `Loans per run, mean over ${seeds} seed${seeds === 1 ? "" : "s"}`,
  };
  const values = rows.map((r) => ({
    ...r,
    panel: r.panel ?? "",
    outcome: OUTCOME_LABELS[r.outcome],
    order: OUTCOMES.indexOf(r.outcome),
  }));
  const spec = {
    width: { step: 64 },
    height: 200,
    mark: { type: "bar" },
    encoding: {
      x: { field: "mode", type: "nominal", sort: modes.domain, axis: { title: null, labelAngle: 0 } },
      y: { field: "loans", type: "quantitative", stack: "zero", axis: { title: "Loans per run (count)" } },
      color: {
        field: "outcome",
        type: "nominal",
        scale: outcomeScale,
        legend: { title: "Outcome", columns: 1, orient: "right" },
      },
      order: { field: "order", type: "quantitative" },
    },
  };
  if (panels)
    return {
      title,
      data: { values },
      facet: sweepFacet(panels, "column"),
      spec,
    } as VegaLiteSpec;
  return { title, data: { values }, ...spec } as VegaLiteSpec;
}
