/**
 * The chart builders, rendered for real (Vega-Lite compiled and drawn to SVG in Node): each gives
 * a spec that compiles without a warning and draws what it was given - one mark per seed, per
 * edge, per loan, every swept value on the axis - including edge cases (no baseline, loans past
 * the horizon, more loans than rows, non-finite values).
 */
import { describe, expect, it } from "vitest";
import { renderVegaLiteToSvg, type VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { protocolMetric, runMetric, seriesDefinition } from "../metric-definitions.ts";
import type { LoanRecord } from "../record-loans.ts";
import { CHART_CONFIG } from "./chart-theme.ts";
import { distributionSpec, jitterOf } from "./distribution-chart.ts";
import { loanOutcomesSpec, loanTimelineSpec, timelineLoans } from "./loan-charts.ts";
import { networkSpec } from "./network-chart.ts";
import { priceSpec } from "./price-chart.ts";
import { protocolBarsSpec } from "./protocol-chart.ts";
import { scopeSvgIds, wrapText } from "./render-charts.ts";
import { sweepSpec } from "./sweep-chart.ts";
import { timeBandSpec } from "./time-band-chart.ts";

async function render(spec: VegaLiteSpec): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderVegaLiteToSvg({
    // ARIA labels on (the report turns them off) so the test can count marks by role.
    spec: { ...spec, config: { ...CHART_CONFIG, aria: true } } as VegaLiteSpec,
    onWarning: (w) => warnings.push(w),
  });
  expect(warnings).toEqual([]);
  return svg;
}

/** Elements drawn by marks of a kind ("symbol", "rule", "rect", "line", "area", "text"). */
function marks(svg: string, kind: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, "g"))];
  return groups.flatMap((g) => [...g[1]!.matchAll(/<(path|line|rect|text)\b[^>]*>/g)].map((m) => m[0]));
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

const modes = ["off", "negotiation", "derisking", "both"];
const hours = Array.from({ length: 25 }, (_, i) => i);
const band = (k: number) => ({
  median: hours.map((h) => k * h),
  lo: hours.map((h) => 0.5 * k * h),
  hi: hours.map((h) => 2 * k * h),
});

describe("chart specs", () => {
  it("distribution: a dot per finite seed value, every mode labelled", async () => {
    const rows = modes.flatMap((mode, m) =>
      Array.from({ length: 7 }, (_, s) => ({ mode, seed: s + 1, value: s === 6 ? Number.NaN : m * 1e6 + s })),
    );
    const svg = await render(distributionSpec({ metric: runMetric("insolventDebtUsd"), rows, modes }));
    expect(marks(svg, "symbol")).toHaveLength(4 * 6);
    for (const m of modes) expect(texts(svg)).toContain(m);
    expect(texts(svg)).toContain("USD");
    expect(jitterOf(3)).toBe(jitterOf(3));
    expect(Math.abs(jitterOf(3))).toBeLessThanOrEqual(1);
  });

  it("distribution over a sweep: every swept value on the axis", async () => {
    const rows = ["0.25", "0.5", "1"].flatMap((panel) =>
      modes.flatMap((mode) => [1, 2, 3].map((seed) => ({ mode, seed, value: seed, panel }))),
    );
    const svg = await render(
      distributionSpec({
        metric: runMetric("liquidationUsd"),
        rows,
        modes,
        panels: { title: "venueShareOfSales", values: ["0.25", "0.5", "1"] },
      }),
    );
    for (const v of ["0.25", "0.5", "1", "venueShareOfSales"]) expect(texts(svg)).toContain(v);
  });

  it("time bands: a panel per mode, the baseline dashed only when there is one", async () => {
    const groups = modes.map((mode, i) => ({ mode, band: band(i + 1) }));
    const series = seriesDefinition("unmetUsd");
    const withBase = await render(timeBandSpec({ series, hours, groups, baseline: "off", seeds: 5 }));
    for (const m of modes) expect(texts(withBase)).toContain(m);
    expect(withBase).toContain('stroke-dasharray="4,3"');
    expect(marks(withBase, "area")).toHaveLength(4);
    const noBase = await render(
      timeBandSpec({ series, hours, groups: groups.slice(1), baseline: "off", seeds: 5 }),
    );
    expect(noBase).not.toContain('stroke-dasharray="4,3"');
    expect(texts(noBase).join(" ")).not.toContain("dashed");
  });

  it("time bands over a sweep: a row per swept value", async () => {
    const groups = ["0.5", "1"].flatMap((panel) =>
      modes.map((mode, i) => ({ mode, band: band(i + 1), panel })),
    );
    const svg = await render(
      timeBandSpec({
        series: seriesDefinition("liquidationUsd"),
        hours,
        groups,
        baseline: "off",
        seeds: 5,
        panels: { title: "venueShareOfSales", values: ["0.5", "1"] },
      }),
    );
    expect(marks(svg, "area")).toHaveLength(8);
    for (const v of ["0.5", "1", "venueShareOfSales"]) expect(texts(svg)).toContain(v);
  });

  it("sweep: every swept value is a tick, printed as given", async () => {
    const values = [0.1, 0.25, 0.5, 0.75, 1];
    const points = ["off", "both"].flatMap((mode) =>
      values.map((x) => ({ mode, x, value: x, lo: x / 2, hi: x * 2 })),
    );
    const svg = await render(
      sweepSpec({
        metric: runMetric("insolventDebtUsd"),
        estimate: "Mean over 5 seeds",
        option: "venueShareOfSales",
        optionUnit: "share of sales",
        values,
        points,
      }),
    );
    for (const v of values) expect(texts(svg)).toContain(String(v));
    expect(texts(svg)).toContain("venueShareOfSales (share of sales)");
    expect(marks(svg, "symbol")).toHaveLength(values.length * 2);
  });

  it("price: the real window only when given, a line per mode", async () => {
    const market = modes.map((mode, i) => ({ mode, band: band(100 + i) }));
    const svg = await render(
      priceSpec({ symbol: "ETH", hours, path: band(100), real: band(90).median, market, seeds: 5 }),
    );
    expect(texts(svg)).toEqual(
      expect.arrayContaining(["Real window, replayed", "Market, off", "Market, both"]),
    );
    expect(texts(svg)).toContain("USD per ETH");
    const noReal = await render(priceSpec({ symbol: "ETH", hours, market, seeds: 5 }));
    expect(texts(noReal)).not.toContain("Real window, replayed");
    expect(texts(noReal)).not.toContain("Price path, median over seeds");
  });

  it("protocol bars: a bar and an interval per protocol and mode", async () => {
    const protocols = ["lender", "fund", "dex"];
    const bars = protocols.flatMap((protocol, p) =>
      modes.map((mode, m) => ({ protocol, mode, value: (p + m) / 10, lo: 0, hi: (p + m) / 8 })),
    );
    const svg = await render(
      protocolBarsSpec({ metric: protocolMetric("insolvent"), subtitle: "Share of seeds", protocols, bars }),
    );
    expect(marks(svg, "rect")).toHaveLength(12);
    expect(marks(svg, "rule")).toHaveLength(12);
    for (const p of protocols) expect(texts(svg)).toContain(p);
  });

  it("network: an arrow per exposure above a dollar, a panel each", async () => {
    const protocols = ["a", "b", "c"];
    // a->b, b->a, c->a; and 0.5 USD of a->c, which is dust.
    const exposures = [0, 10, 0.5, 20, 0, 0, 5, 0, 0];
    const svg = await render(
      networkSpec({
        protocols,
        panels: [
          { name: "Start", exposures },
          { name: "End, off", exposures, insolventShare: [0, 1, 0.5] },
        ],
      }),
    );
    // Edges are rules, one line each; nodes are circles (neutral at the start, shaded at the end).
    expect(svg.match(/<line /g)).toHaveLength(3 * 2);
    expect(svg.match(/aria-roledescription="circle"/g)).toHaveLength(3 * 2);
    expect(texts(svg)).toEqual(expect.arrayContaining(["Start", "End, off", "a", "b", "c"]));
  });

  it("loan timeline: the largest loans in order of settlement, ticks only inside the horizon", async () => {
    const loan = (i: number, outcome: LoanRecord["outcome"]): LoanRecord => ({
      lender: "lender",
      borrower: "fund",
      asset: "ETH",
      principalUsd: (i + 1) * 1e6,
      rateBps: 500,
      settledHour: 50 - i,
      maturityHour: i % 2 === 0 ? 80 : 200,
      closedHour: outcome === "outstanding" ? null : 60,
      outcome,
      margined: false,
      liquidations: 0,
      toppedUp: false,
    });
    const loans = Array.from({ length: 6 }, (_, i) =>
      loan(i, i % 3 === 0 ? "outstanding" : i % 3 === 1 ? "repaid" : "defaulted"),
    );
    expect(timelineLoans(loans, 4).map((l) => l.principalUsd)).toEqual([6e6, 5e6, 4e6, 3e6]);
    const svg = await render(loanTimelineSpec({ title: "Loans", loans, horizonHours: 96, maxRows: 4 }));
    // Four bars; ticks (also rects) only for the two shown loans maturing at 80 h, not at 200 h.
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(4);
    expect(marks(svg, "rect")).toHaveLength(4 + 2);
    expect(texts(svg)).toEqual(expect.arrayContaining(["repaid", "defaulted", "outstanding at the horizon"]));
    expect(texts(svg).filter((t) => /^\d\d\. lender to fund/.test(t))).toHaveLength(4);
  });

  it("loan outcomes: stacked per mode, a column per swept value", async () => {
    const rows = ["0.5", "1"].flatMap((panel) =>
      (["repaid", "defaulted", "outstanding"] as const).map((outcome, k) => ({
        mode: "negotiation",
        outcome,
        loans: k + 1,
        panel,
      })),
    );
    const svg = await render(
      loanOutcomesSpec({ rows, seeds: 3, panels: { title: "venueShareOfSales", values: ["0.5", "1"] } }),
    );
    expect(marks(svg, "rect")).toHaveLength(6);
    for (const v of ["0.5", "1"]) expect(texts(svg)).toContain(v);
  });
});

describe("scopeSvgIds", () => {
  it("prefixes ids and the references to them, and nothing else", () => {
    const svg =
      '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/><a href="#elsewhere"/></g></svg>';
    expect(scopeSvgIds(svg, "c7-")).toBe(
      '<svg><defs><clipPath id="c7-clip1"><rect/></clipPath></defs><g clip-path="url(#c7-clip1)"><use href="#c7-clip1"/><a href="#elsewhere"/></g></svg>',
    );
    expect(scopeSvgIds("<svg><g/></svg>", "c1-")).toBe("<svg><g/></svg>");
  });
});

describe("wrapText", () => {
  it("breaks long titles after clauses or at spaces, never inside a word", () => {
    expect(wrapText("Short one")).toEqual(["Short one"]);
    const lines = wrapText(
      "Line: median over 20 seeds; band: 5th to 95th percentile; dashed: off median",
      40,
    );
    expect(lines).toEqual([
      "Line: median over 20 seeds;",
      "band: 5th to 95th percentile;",
      "dashed: off median",
    ]);
    expect(wrapText("One dot per seed; box: quartiles and median; whiskers: min to max")).toEqual([
      "One dot per seed; box: quartiles and median;",
      "whiskers: min to max",
    ]);
    for (const l of wrapText("a ".repeat(100).trim(), 10)) expect(l.length).toBeLessThanOrEqual(10);
  });
});
