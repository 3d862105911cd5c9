/**
 * Over time: each per-step series (liquidations, bad debt, unpaid withdrawals, ...) as the median
 * over seeds with a 5th-95th percentile band, a panel per mode with agents off dashed for
 * comparison; a sweep adds a row of panels per swept value.
 */
import { timeBandSpec } from "../charts/time-band-chart.ts";
import { esc } from "../html.ts";
import { orderedKeys, SERIES, seriesDefinition } from "../metric-definitions.ts";
import { note, panelOf, type Section, type SectionContext, sweepPanels } from "./section.ts";

export async function timeSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const detail = view.detail;
  if (!detail) return undefined;
  const groups = detail.groups;
  const keys = orderedKeys(new Set(groups.flatMap((g) => Object.keys(g.series))), SERIES);
  const figures: string[] = [];
  const zero: string[] = [];
  for (const key of keys) {
    const series = seriesDefinition(key);
    const bands = groups.flatMap((g) =>
      g.series[key] ? [{ mode: g.mode as string, band: g.series[key]!, panel: panelOf(g.sweep) }] : [],
    );
    if (bands.every((b) => b.band.hi.every((x) => x === 0) && b.band.lo.every((x) => x === 0))) {
      zero.push(esc(series.noun));
      continue;
    }
    figures.push(
      await charts.figure({
        name: `time ${key}`,
        spec: timeBandSpec({
          series,
          hours: detail.hours,
          groups: bands,
          baseline: view.baseline,
          seeds: Math.max(...groups.map((g) => g.seeds.length)),
          panels: sweepPanels(view),
        }),
        wide: true,
      }),
    );
  }
  const bucket =
    detail.bucketHours > detail.stepHours
      ? ` Each point covers ${detail.bucketHours} hours (its last value).`
      : "";
  return {
    id: "over-time",
    title: "Over time",
    html: `<p class="lead">How the crisis unfolded hour by hour in each mode.${esc(bucket)}</p><div class="grid">${figures.join("")}</div>${
      zero.length > 0 ? note(`Zero at every hour in every run (not drawn): ${zero.join(", ")}.`) : ""
    }`,
  };
}
