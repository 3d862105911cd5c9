/**
 * The exposure network at the start and at the end of the runs, per mode (exposures are means
 * over seeds; nodes are shaded by the share of seeds in which the protocol ended insolvent). For
 * a sweep, the first swept value (the network's shape does not depend on engine options; its
 * weights do, and the per-protocol tables give every value).
 */
import { networkSpec } from "../charts/network-chart.ts";
import { esc } from "../html.ts";
import { note, type Section, type SectionContext } from "./section.ts";

export async function networkSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const detail = view.detail;
  if (!detail || detail.protocols.length === 0) return undefined;
  const sweep = view.sweepValues[0];
  const groups = detail.groups.filter((g) => g.sweep === sweep);
  const first = groups[0];
  if (!first) return undefined;
  const ids = detail.protocols.map((p) => p.id);
  const anyEdge = groups.some(
    (g) => g.network.start.some((x) => x >= 1) || g.network.end.some((x) => x >= 1),
  );
  if (!anyEdge)
    return {
      id: "network",
      title: "Exposure network",
      html: note("No protocol is exposed to another in any run."),
    };
  const figure = await charts.figure({
    name: "exposure network",
    spec: networkSpec({
      protocols: ids,
      panels: [
        { name: "Start", exposures: first.network.start },
        ...groups.map((g) => ({
          name: `End, ${g.mode}`,
          exposures: g.network.end,
          insolventShare: g.protocols.map((p) => {
            const xs = p.insolvent ?? [];
            return xs.length === 0 ? 0 : xs.filter((x) => x > 0).length / xs.length;
          }),
        })),
      ],
    }),
    wide: true,
  });
  const sweepNote = view.study.sweep
    ? ` Shown at ${esc(String(view.study.sweep.option))} = ${esc(String(sweep))}.`
    : "";
  return {
    id: "network",
    title: "Exposure network",
    html: `<p class="lead">Who stands to lose if whom fails: deposits, credit lines, negotiated loans net of collateral, and tokens one protocol issued that another holds.${sweepNote}</p>${figure}`,
  };
}
