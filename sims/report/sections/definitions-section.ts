/** Metric definitions: every figure the report shows, with its unit, from the registry. */
import { definitionId, esc, table } from "../html.ts";
import {
  DERIVED_METRICS,
  type MetricDefinition,
  orderedKeys,
  PROTOCOL_METRICS,
  protocolMetric,
  runMetric,
  SERIES,
  seriesDefinition,
} from "../metric-definitions.ts";
import type { Section, SectionContext } from "./section.ts";

export function definitionsSection({ view }: SectionContext): Section {
  const detail = view.detail;
  const run = view.metricKeys.map(runMetric);
  const censored = Object.keys(view.groups[0]?.summary.metrics ?? {})
    .map(runMetric)
    .filter((d) => d.censored);
  const derived = [
    DERIVED_METRICS.varUsd,
    DERIVED_METRICS.larUsd,
    DERIVED_METRICS.recoveredShare,
    DERIVED_METRICS.recoveryMedianHours,
    runMetric("recoveryHours"),
  ];
  const protocolKeys = orderedKeys(
    new Set(detail?.groups.flatMap((g) => g.protocols.flatMap((p) => Object.keys(p))) ?? []),
    PROTOCOL_METRICS,
  );
  const seriesKeys = orderedKeys(new Set(detail?.groups.flatMap((g) => Object.keys(g.series)) ?? []), SERIES);
  const seen = new Set<string>();
  const rows = (list: MetricDefinition[], family: string) =>
    list.flatMap((d) => {
      const id = definitionId(d.key);
      if (seen.has(id)) return [];
      seen.add(id);
      return [[`<span id="${id}">${esc(d.label)}</span>`, esc(d.unit), esc(family), esc(d.definition)]];
    });
  const all = [
    ...rows(run, "per run"),
    ...rows([...derived, ...censored], "over seeds"),
    ...rows(protocolKeys.map(protocolMetric), "per protocol"),
    ...rows(
      seriesKeys.map((k) => ({ ...seriesDefinition(k), key: `series-${k}` })),
      "per hour",
    ),
  ];
  return {
    id: "definitions",
    title: "Metric definitions",
    html: `<p class="lead">Means over seeds come with 95% percentile-bootstrap intervals (2,000 seeded resamples); shares of seeds with 95% Wilson intervals; comparisons between modes pair runs by seed. Money is counted in token base units in the engine and reported in US dollars.</p>${table(
      {
        head: ["Metric", "Unit", "Kind", "Definition"],
        rows: all,
        className: "definitions",
      },
    )}`,
  };
}
