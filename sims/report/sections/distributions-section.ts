/**
 * Distributions over seeds: for each per-run metric, a box and every seed's value per mode
 * (a panel per swept value). Metrics that are zero in every run are named instead of drawn.
 */
import { type DistributionRow, distributionSpec } from "../charts/distribution-chart.ts";
import { esc } from "../html.ts";
import { runMetric } from "../metric-definitions.ts";
import { note, type Section, type SectionContext, sweepPanels } from "./section.ts";

export async function distributionsSection({ view, charts }: SectionContext): Promise<Section> {
  const figures: string[] = [];
  const zero: string[] = [];
  const panels = sweepPanels(view);
  for (const key of view.metricKeys) {
    const metric = runMetric(key);
    const rows: DistributionRow[] = view.groups.flatMap((g) =>
      [...(g.values.get(key) ?? new Map<number, number>())].map(([seed, value]) => ({
        mode: g.mode,
        seed,
        value,
        panel: g.sweep === undefined ? undefined : String(g.sweep),
      })),
    );
    if (rows.every((r) => r.value === 0)) {
      zero.push(esc(metric.noun));
      continue;
    }
    figures.push(
      await charts.figure({
        name: `distribution ${key}`,
        spec: distributionSpec({ metric, rows, modes: view.modes, panels }),
      }),
    );
  }
  return {
    id: "distributions",
    title: "Distributions over seeds",
    html: `<p class="lead">What each seed gave, not only the mean: seeds differ in price path, borrower book and auctions, and the same seed is used in every mode.</p><div class="grid">${figures.join("")}</div>${
      zero.length > 0 ? note(`Zero in every run (not drawn): ${zero.join(", ")}.`) : ""
    }`,
  };
}
