/**
 * Headline tables per swept value: each metric's mean over seeds with its 95% interval per mode,
 * recovery with censoring (share recovered, median among the recovered), and the tail: VaR and
 * LaR 95% with their intervals and the 95th percentile and worst seed of every money harm.
 */
import { esc, table, withInterval } from "../html.ts";
import { DERIVED_METRICS, runMetric } from "../metric-definitions.ts";
import type { GroupView, StudyView } from "../study-view.ts";
import { metricCell, perSweepValue, type Section, type SectionContext } from "./section.ts";

function modeHead(view: StudyView): string[] {
  return ["", ...view.modes.map((m) => `<span class="mode-dot mode-${esc(m)}"></span>${esc(m)}`)];
}

function cells(view: StudyView, sweep: number | undefined, cell: (g: GroupView) => string): string[] {
  return view.modes.map((m) => {
    const g = view.group(sweep, m);
    return g ? cell(g) : "-";
  });
}

export function headlineTable(view: StudyView, sweep: number | undefined): string {
  const rows: string[][] = [];
  for (const key of view.metricKeys) {
    const d = runMetric(key);
    rows.push([
      metricCell(d),
      ...cells(view, sweep, (g) => {
        const s = g.summary.metrics[key as keyof typeof g.summary.metrics];
        return s ? withInterval(d.format, s.mean, s.n) : "-";
      }),
    ]);
  }
  const share = DERIVED_METRICS.recoveredShare;
  const median = DERIVED_METRICS.recoveryMedianHours;
  rows.push([
    metricCell(share),
    ...cells(
      view,
      sweep,
      (g) =>
        `${withInterval(share.format, g.recovery.share, g.recovery.runs)}<br><small>${g.recovery.recovered} of ${g.recovery.runs} runs</small>`,
    ),
  ]);
  rows.push([
    metricCell(median),
    ...cells(view, sweep, (g) =>
      g.recovery.medianHours === null
        ? "none recovered"
        : `${median.format(g.recovery.medianHours)}<br><small>of ${g.recovery.recovered} recovered</small>`,
    ),
  ]);
  return table({
    head: modeHead(view),
    rows,
    caption: `Mean per run over ${view.seeds} seed${view.seeds === 1 ? "" : "s"}, 95% bootstrap interval below`,
    className: "numbers",
  });
}

export function tailTable(view: StudyView, sweep: number | undefined): string {
  const rows: string[][] = [];
  const v = DERIVED_METRICS.varUsd;
  const l = DERIVED_METRICS.larUsd;
  const worst = (g: GroupView, key: string) => {
    const s = g.summary.metrics[key as keyof typeof g.summary.metrics];
    return s ? `<br><small>worst ${runMetric(key).format(s.max)}</small>` : "";
  };
  // VaR and LaR: the 95th percentiles of insolvent debt and liquidations, with their worst seed.
  for (const [d, pick, key] of [
    [v, (g: GroupView) => g.summary.varUsd, "insolventDebtUsd"],
    [l, (g: GroupView) => g.summary.larUsd, "liquidationUsd"],
  ] as const)
    rows.push([
      `${metricCell(d)}<br><small>worst seed below</small>`,
      ...cells(view, sweep, (g) => withInterval(d.format, pick(g), g.records.length) + worst(g, key)),
    ]);
  const zero: string[] = [];
  for (const key of view.metricKeys) {
    const d = runMetric(key);
    // VaR and LaR above are these two's 95th percentiles.
    if (!d.tail || key === "insolventDebtUsd" || key === "liquidationUsd") continue;
    const groups = view.groups.filter((g) => g.sweep === sweep);
    if (groups.every((g) => (g.summary.metrics[key as keyof typeof g.summary.metrics]?.max ?? 0) === 0)) {
      zero.push(esc(d.noun));
      continue;
    }
    rows.push([
      `${metricCell(d)}<br><small>95th percentile; worst seed</small>`,
      ...cells(view, sweep, (g) => {
        const s = g.summary.metrics[key as keyof typeof g.summary.metrics];
        return s ? `${withInterval(d.format, s.p95, s.n)}<br><small>worst ${d.format(s.max)}</small>` : "-";
      }),
    ]);
  }
  return table({
    head: modeHead(view),
    rows,
    caption: `Tail: 95th percentile over seeds with its 95% bootstrap interval, and the worst seed${zero.length > 0 ? `; zero in every seed: ${zero.join(", ")}` : ""}`,
    className: "numbers",
  });
}

export function summarySection({ view }: SectionContext): Section {
  const block = (sweep: number | undefined) =>
    `<div class="tables">${headlineTable(view, sweep)}${tailTable(view, sweep)}</div>`;
  return { id: "summary", title: "Summary", html: perSweepValue(view, block) };
}
