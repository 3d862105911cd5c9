/**
 * Per protocol: what happened to each protocol in each mode over seeds - the share of seeds it
 * ended insolvent (defaulted, halted, when the engine reports them), its equity at the end, what
 * it could not pay, its losses on written-down claims - as a table and as grouped bars with 95%
 * intervals; tables per swept value, charts with a row per swept value.
 */
import { type ProtocolBar, protocolBarsSpec } from "../charts/protocol-chart.ts";
import { esc, table } from "../html.ts";
import { type Interval, meanInterval, wilsonShare } from "../intervals.ts";
import { orderedKeys, PROTOCOL_METRICS, protocolMetric } from "../metric-definitions.ts";
import {
  metricCell,
  note,
  panelOf,
  perSweepValue,
  type Section,
  type SectionContext,
  sweepPanels,
} from "./section.ts";

const isShare = (key: string) => protocolMetric(key).unit === "share";

export function protocolInterval(key: string, values: readonly number[]): Interval {
  if (isShare(key)) return wilsonShare(values.filter((v) => v > 0).length, values.length);
  return meanInterval(values);
}

export async function protocolsSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const detail = view.detail;
  if (!detail || detail.protocols.length === 0) return undefined;
  const ids = detail.protocols.map((p) => p.id);
  const keys = orderedKeys(
    new Set(detail.groups.flatMap((g) => g.protocols.flatMap((p) => Object.keys(p)))),
    PROTOCOL_METRICS,
  );
  const stats = new Map<string, Interval>();
  const at = (key: string, sweep: number | undefined, mode: string, i: number) =>
    `${key}|${sweep}|${mode}|${i}`;
  for (const key of keys)
    for (const g of detail.groups)
      g.protocols.forEach((p, i) => {
        const values = p[key];
        if (values) stats.set(at(key, g.sweep, g.mode, i), protocolInterval(key, values));
      });

  const tables = perSweepValue(view, (sweep) => {
    const groups = detail.groups.filter((g) => g.sweep === sweep);
    const rows: string[][] = [];
    detail.protocols.forEach((p, i) => {
      keys.forEach((key, k) => {
        const d = protocolMetric(key);
        rows.push([
          k === 0 ? `<strong>${esc(p.id)}</strong><br><small>${esc(p.label)} (${esc(p.kind)})</small>` : "",
          metricCell(d),
          ...groups.map((g) => {
            const s = stats.get(at(key, sweep, g.mode, i));
            if (!s) return "-";
            return s.n > 1
              ? `${d.format(s.value)} <small>[${d.format(s.lo)}, ${d.format(s.hi)}]</small>`
              : d.format(s.value);
          }),
        ]);
      });
    });
    return table({
      head: [
        "Protocol",
        "Outcome",
        ...groups.map((g) => `<span class="mode-dot mode-${esc(g.mode)}"></span>${esc(g.mode)}`),
      ],
      rows,
      caption: "Shares: Wilson 95% interval; money: mean over seeds with a 95% bootstrap interval",
      className: "numbers protocols",
    });
  });

  const figures: string[] = [];
  const zero: string[] = [];
  for (const key of keys) {
    const d = protocolMetric(key);
    const bars: ProtocolBar[] = detail.groups.flatMap((g) =>
      ids.flatMap((protocol, i) => {
        const s = stats.get(at(key, g.sweep, g.mode, i));
        return s
          ? [{ protocol, mode: g.mode, value: s.value, lo: s.lo, hi: s.hi, panel: panelOf(g.sweep) }]
          : [];
      }),
    );
    if (bars.every((b) => b.value === 0 && b.lo === 0 && b.hi === 0)) {
      zero.push(esc(d.label.toLowerCase()));
      continue;
    }
    figures.push(
      await charts.figure({
        name: `protocol ${key}`,
        spec: protocolBarsSpec({
          metric: d,
          subtitle: isShare(key)
            ? "Share of seeds; line: 95% Wilson interval"
            : "Mean over seeds; line: 95% bootstrap interval",
          protocols: ids,
          bars,
          panels: sweepPanels(view),
        }),
      }),
    );
  }
  return {
    id: "protocols",
    title: "By protocol",
    html: `<p class="lead">Who failed, who lost and who paid, protocol by protocol, in each mode.</p>${tables}<div class="grid">${figures.join("")}</div>${
      zero.length > 0 ? note(`Zero for every protocol in every run (not drawn): ${zero.join(", ")}.`) : ""
    }`,
  };
}
