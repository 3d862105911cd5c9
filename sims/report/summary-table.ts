/**
 * The terminal summary: one column per mode, one row per metric, each cell the mean with its
 * 95% confidence interval; VaR and LaR (95th percentiles) below.
 */
import type { Mode } from "../engine/engine-policy.ts";
import { METRIC_LABELS, METRICS, type ModeSummary } from "../monte-carlo/run-monte-carlo.ts";
import { fmtMetric, usd } from "./format.ts";

export function formatSummaryTable(summaries: readonly ModeSummary[], { color = false } = {}): string {
  const modes = summaries.map((s) => s.mode + (s.sweep === undefined ? "" : ` @${s.sweep}`));
  const rows: string[][] = [["", ...modes]];
  for (const m of METRICS) {
    rows.push([
      METRIC_LABELS[m],
      ...summaries.map((s) => {
        const e = s.metrics[m].mean;
        return s.metrics[m].n > 1
          ? `${fmtMetric(m, e.value)} [${fmtMetric(m, e.lo)}, ${fmtMetric(m, e.hi)}]`
          : fmtMetric(m, e.value);
      }),
    ]);
  }
  rows.push(["VaR 95% (insolvent debt)", ...summaries.map((s) => usd(s.varUsd.value))]);
  rows.push(["LaR 95% (liquidations)", ...summaries.map((s) => usd(s.larUsd.value))]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const line = (r: string[], i: number) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ") +
    (i === 0 ? "" : "");
  const out = rows.map((r, i) => (i === 0 ? bold(line(r, i)) : line(r, i)));
  out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return `${out.join("\n")}\n  mean [95% CI] over ${summaries[0]?.metrics.badDebtUsd.n ?? 0} seeds per mode\n`;
}

export function modeOrder(a: Mode, b: Mode): number {
  const order: Mode[] = ["off", "negotiation", "derisking", "both"];
  return order.indexOf(a) - order.indexOf(b);
}
