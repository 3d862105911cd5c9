/** The backtest tables as Markdown (for the terminal, backtest.md and docs/SIMULATION.md). */
import { type BacktestRow, type BacktestTable, backtestRatio } from "../report/backtest.ts";

export function formatBacktestValue(unit: BacktestRow["unit"], x: number): string {
  if (unit === "USD")
    return Math.abs(x) >= 1e6 ? `$${(x / 1e6).toFixed(1)}M` : `$${Math.round(x).toLocaleString("en-US")}`;
  if (unit === "USD per token")
    return `$${x.toLocaleString("en-US", { maximumFractionDigits: x < 10 ? 4 : 2 })}`;
  if (unit === "share") return x.toFixed(4);
  if (unit === "h") return `${x.toFixed(1)} h`;
  return x.toLocaleString("en-US");
}

/** "yes", "no", or "-" when there is no ratio. */
export function withinTolerance(row: BacktestRow): "yes" | "no" | "-" {
  const ratio = backtestRatio(row);
  if (ratio === null) return "-";
  const tol = row.tolerance ?? { lo: 0.5, hi: 2 };
  return ratio >= tol.lo && ratio <= tol.hi ? "yes" : "no";
}

export function backtestMarkdown(table: BacktestTable, withSources = false): string {
  const f = (row: BacktestRow, x: number) => formatBacktestValue(row.unit, x);
  const lines = [
    `| quantity | simulated (median [min, max]) | reported | sim / real | within 2x |${withSources ? " source or why not checked |" : ""}`,
    `| --- | --- | --- | --- | --- |${withSources ? " --- |" : ""}`,
  ];
  for (const r of table.rows) {
    const sim = r.simulated
      ? `${f(r, r.simulated.value)} [${f(r, r.simulated.lo)}, ${f(r, r.simulated.hi)}]`
      : "-";
    const real = !r.reported
      ? r.uncheckable
        ? "cannot be checked"
        : "-"
      : "value" in r.reported
        ? f(r, r.reported.value)
        : `${f(r, r.reported.lo)} to ${f(r, r.reported.hi)}`;
    const ratio = backtestRatio(r);
    const why = r.uncheckable ? `cannot be checked: ${r.uncheckable}` : r.source;
    lines.push(
      `| ${r.quantity} | ${sim} | ${real} | ${ratio === null ? "-" : ratio.toFixed(2)} | ${withinTolerance(r)} |${withSources ? ` ${why.replace(/\|/g, "/")} |` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
