/** The HTML report: one file, inline CSS and SVG, readable offline and printable. */
import type { ContagionStudy } from "../engine/run-contagion-study.ts";
import { METRIC_LABELS, METRICS, type Metric } from "../monte-carlo/run-monte-carlo.ts";
import { settlementReportLines } from "../settlement/settlement-report.ts";
import { fmtMetric, usd } from "./format.ts";
import { barChart, lineChart, networkChart, PALETTE } from "./svg-charts.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const MODE_COLORS: Record<string, string> = {
  off: "#6b7280",
  negotiation: "#2563eb",
  derisking: "#ea580c",
  both: "#16a34a",
};

export function renderHtmlReport(study: ContagionStudy): string {
  const s = study.summaries.filter((x) => x.sweep === study.summaries[0]?.sweep);
  const kept = study.kept;
  const first = kept[0];
  const sections: string[] = [];

  // Summary table.
  const head = `<tr><th></th>${s.map((x) => `<th>${esc(x.mode)}</th>`).join("")}</tr>`;
  const body = [
    ...METRICS.map(
      (m) =>
        `<tr><td>${METRIC_LABELS[m]}</td>${s
          .map((x) => {
            const e = x.metrics[m].mean;
            return `<td>${fmtMetric(m, e.value)}${x.metrics[m].n > 1 ? `<br><small>[${fmtMetric(m, e.lo)}, ${fmtMetric(m, e.hi)}]</small>` : ""}</td>`;
          })
          .join("")}</tr>`,
    ),
    `<tr><td>VaR 95% (insolvent debt)</td>${s.map((x) => `<td>${usd(x.varUsd.value)}<br><small>[${usd(x.varUsd.lo)}, ${usd(x.varUsd.hi)}]</small></td>`).join("")}</tr>`,
    `<tr><td>LaR 95% (liquidations)</td>${s.map((x) => `<td>${usd(x.larUsd.value)}<br><small>[${usd(x.larUsd.lo)}, ${usd(x.larUsd.hi)}]</small></td>`).join("")}</tr>`,
  ].join("");
  sections.push(
    `<h2>Summary</h2><p>Mean over ${s[0]?.metrics.badDebtUsd.n ?? 0} seeds per mode, with 95% bootstrap confidence intervals in brackets. VaR and LaR are 95th percentiles across seeds.</p><table>${head}${body}</table>`,
  );

  // Bars per metric.
  const bars = (m: Metric) =>
    barChart({
      title: METRIC_LABELS[m],
      bars: s.map((x) => ({
        label: x.mode,
        value: x.metrics[m].mean.value,
        lo: x.metrics[m].mean.lo,
        hi: x.metrics[m].mean.hi,
        color: MODE_COLORS[x.mode] ?? PALETTE[0]!,
      })),
    });
  sections.push(
    `<h2>By mode</h2><div class="grid">${(["badDebtUsd", "insolventDebtUsd", "liquidationUsd", "negotiatedUsd", "peakUnmetUsd", "insolvencies", "recoveryHours"] as const).map(bars).join("")}</div>`,
  );

  if (first) {
    const byMode = (pick: (r: (typeof kept)[number]) => ArrayLike<number>) =>
      kept.map((r) => ({ name: r.policy, ys: pick(r), color: MODE_COLORS[r.policy] ?? PALETTE[0]! }));
    sections.push(
      `<h2>One run in detail (seed ${first.seed})</h2><div class="grid">${[
        lineChart({
          title: "Market prices, relative to the start (agents off)",
          xs: first.series.hours,
          series: first.assets.map((a, i) => ({ name: a, ys: first.series.prices[i]! })),
          normalise: true,
          xLabel: "hours",
        }),
        lineChart({
          title: "Liquidations per step (USD)",
          xs: first.series.hours,
          series: byMode((r) => r.series.liquidationUsd),
          xLabel: "hours",
        }),
        lineChart({
          title: "Bad debt, cumulative (USD)",
          xs: first.series.hours,
          series: byMode((r) => r.series.badDebtUsd),
          xLabel: "hours",
        }),
        lineChart({
          title: "Unpaid withdrawals (USD)",
          xs: first.series.hours,
          series: byMode((r) => r.series.unmetUsd),
          xLabel: "hours",
        }),
        lineChart({
          title: "Negotiated loans, cumulative (USD)",
          xs: first.series.hours,
          series: byMode((r) => r.series.negotiatedUsd),
          xLabel: "hours",
        }),
        lineChart({
          title: "DebtRank of current losses",
          xs: first.series.hours,
          series: byMode((r) => r.series.debtRank),
          xLabel: "hours",
        }),
      ].join("")}</div>`,
    );
    const nodes = (r: (typeof kept)[number]) =>
      r.protocols.map((p, i) => ({ id: p.id, kind: p.kind, insolvent: r.end[i]!.insolvent }));
    sections.push(
      `<h2>Exposure network</h2><p>An arrow from A to B: A loses if B fails (deposits, credit lines, negotiated loans net of collateral, tokens B issued that A holds). Red: insolvent at the end of that run.</p><div class="grid">${[
        networkChart({
          title: "At the start",
          nodes: first.protocols.map((p) => ({ id: p.id, kind: p.kind, insolvent: false })),
          exposures: first.network.start,
        }),
        ...kept.map((r) =>
          networkChart({ title: `At the end: ${r.policy}`, nodes: nodes(r), exposures: r.network.end }),
        ),
      ].join("")}</div>`,
    );
    const events = kept.flatMap((r) =>
      r.events
        .filter((e) => e.type !== "no-deal")
        .slice(0, 40)
        .map((e) => {
          const h = (e.step * r.stepHours).toFixed(0);
          switch (e.type) {
            case "loan":
              return `<tr><td>${r.policy}</td><td>${h}</td><td>loan</td><td>${esc(e.lender)} lends ${usd(Number(e.principalUsd8) / 1e8)} of ${esc(e.asset)} to ${esc(e.borrower)} at ${(e.rateBps / 100).toFixed(2)}% after ${e.rounds} offers</td></tr>`;
            case "repaid":
            case "defaulted":
              return `<tr><td>${r.policy}</td><td>${h}</td><td>${e.type}</td><td>${esc(e.borrower)} -> ${esc(e.lender)} (${usd(Number(e.principalUsd8) / 1e8)})</td></tr>`;
            case "alert":
              return `<tr><td>${r.policy}</td><td>${h}</td><td>alert</td><td>level ${e.level} by ${e.votes} of ${e.of} agents: ${esc(e.reason)}</td></tr>`;
            case "derisk":
              return `<tr><td>${r.policy}</td><td>${h}</td><td>de-risk</td><td>${esc(e.protocol)}: ${esc(e.action)}</td></tr>`;
            default:
              return "";
          }
        }),
    );
    if (events.length > 0)
      sections.push(
        `<h2>What the agents did (seed ${first.seed}, first 40 events per mode)</h2><table><tr><th>mode</th><th>hour</th><th>event</th><th></th></tr>${events.join("")}</table>`,
      );
  }

  const opts = Object.entries(study.engineOptions)
    .map(
      ([k, v]) =>
        `<tr><td>${esc(k)}</td><td>${esc(typeof v === "object" ? JSON.stringify(v) : String(v))}</td></tr>`,
    )
    .join("");
  sections.push(
    `<h2>Assumptions</h2><p>${esc(study.scenario.notes)}</p><details><summary>Engine options</summary><table>${opts}</table></details>`,
  );
  sections.push(
    `<h2>Settlement</h2><pre>${esc(settlementReportLines(study.settlement).join("\n"))}</pre><p><small>${
      study.settlement.backend === "chain"
        ? "Every negotiated loan, repayment and default claim was a signed transaction to the LiquidityArbiter contract on an anvil chain whose clock followed the simulation's."
        : "Loans settled on the in-process ledger, a copy of the LiquidityArbiter's logic kept equal to the contract by a differential test; results are the same as on the chain."
    }</small></p>`,
  );

  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Contagion study: ${esc(study.scenario.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#111827}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #e5e7eb;padding:4px 10px;text-align:right;vertical-align:top}td:first-child,th:first-child{text-align:left}
small{color:#6b7280}.grid{display:flex;flex-wrap:wrap;gap:16px}h1{margin-bottom:0}.sub{color:#6b7280}</style></head><body>
<h1>${esc(study.scenario.title)}</h1>
<p class="sub">Scenario <code>${esc(study.scenario.name)}</code> · seeds ${study.seeds.length} (${study.seeds[0]}..${study.seeds[study.seeds.length - 1]}) · modes ${study.modes.join(", ")} · ${study.runs} runs in ${(study.durationMs / 1000).toFixed(1)} s · settled on ${study.settlement.backend === "chain" ? "the contract (anvil)" : "the in-process ledger"} · ${esc(study.createdAt)}</p>
${sections.join("\n")}
</body></html>`;
}
