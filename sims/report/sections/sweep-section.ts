/**
 * The sweep: every swept value of the engine option, per mode, for each headline metric (mean
 * with its 95% interval) and the tail figures (VaR and LaR 95% with theirs), as lines over the
 * swept values, and a table of the tail figures at every value.
 */
import { type SweepPoint, sweepSpec } from "../charts/sweep-chart.ts";
import { esc, table, withInterval } from "../html.ts";
import { DERIVED_METRICS, ENGINE_OPTION_UNITS, runMetric } from "../metric-definitions.ts";
import type { Section, SectionContext } from "./section.ts";

export async function sweepSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const sweep = view.study.sweep;
  if (!sweep) return undefined;
  const option = String(sweep.option);
  const values = [...sweep.values];
  const figures: string[] = [];
  const common = { option, optionUnit: ENGINE_OPTION_UNITS[option], values };
  const seeds = `over ${view.seeds} seed${view.seeds === 1 ? "" : "s"}`;
  const tails = [
    { metric: DERIVED_METRICS.varUsd, pick: (g: (typeof view.groups)[number]) => g.summary.varUsd },
    { metric: DERIVED_METRICS.larUsd, pick: (g: (typeof view.groups)[number]) => g.summary.larUsd },
  ];
  for (const t of tails) {
    const points: SweepPoint[] = view.groups.map((g) => ({ mode: g.mode, x: g.sweep!, ...t.pick(g) }));
    figures.push(
      await charts.figure({
        name: `sweep ${t.metric.key}`,
        spec: sweepSpec({ ...common, metric: t.metric, estimate: `95th percentile ${seeds}`, points }),
      }),
    );
  }
  for (const key of view.metricKeys) {
    const metric = runMetric(key);
    const points: SweepPoint[] = view.groups.flatMap((g) => {
      const s = g.summary.metrics[key as keyof typeof g.summary.metrics];
      return s ? [{ mode: g.mode, x: g.sweep!, ...s.mean }] : [];
    });
    if (points.every((p) => p.value === 0 && p.hi === 0)) continue;
    figures.push(
      await charts.figure({
        name: `sweep ${key}`,
        spec: sweepSpec({ ...common, metric, estimate: `Mean ${seeds}`, points }),
      }),
    );
  }
  const share = DERIVED_METRICS.recoveredShare;
  figures.push(
    await charts.figure({
      name: "sweep recoveredShare",
      spec: sweepSpec({
        ...common,
        metric: share,
        estimate: `Share of runs ${seeds}`,
        points: view.groups.map((g) => ({ mode: g.mode, x: g.sweep!, ...g.recovery.share })),
      }),
    }),
  );
  const v = DERIVED_METRICS.varUsd;
  const l = DERIVED_METRICS.larUsd;
  const insolvent = runMetric("insolventDebtUsd");
  const liquidations = runMetric("liquidationUsd");
  const rows = view.groups.map((g) => {
    const worst = (key: string) => {
      const s = g.summary.metrics[key as keyof typeof g.summary.metrics];
      return s ? runMetric(key).format(s.max) : "-";
    };
    return [
      `${esc(String(g.sweep))}`,
      `<span class="mode-dot mode-${esc(g.mode)}"></span>${esc(g.mode)}`,
      withInterval(v.format, g.summary.varUsd, g.records.length),
      worst("insolventDebtUsd"),
      withInterval(l.format, g.summary.larUsd, g.records.length),
      worst("liquidationUsd"),
    ];
  });
  const tailTable = table({
    head: [
      esc(option),
      "mode",
      esc(v.label),
      `Worst seed: ${esc(insolvent.noun)}`,
      esc(l.label),
      `Worst seed: ${esc(liquidations.noun)}`,
    ],
    rows,
    caption: `Tail figures at every swept value (95th percentile ${seeds} with its 95% interval; worst seed)`,
    className: "numbers",
  });
  return {
    id: "sweep",
    title: `Sweep over ${option}`,
    html: `<p class="lead">The study ran every mode and seed at each of ${values.length} values of <code>${esc(option)}</code>: ${values.map((x) => esc(String(x))).join(", ")}.</p><div class="grid">${figures.join("")}</div>${tailTable}`,
  };
}
