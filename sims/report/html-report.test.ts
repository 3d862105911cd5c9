/**
 * The page, built in Node from a real (small) study: the backtest slot, a metric the registry
 * does not know yet, a study without detail (runs done elsewhere), a chain's URL kept out of the
 * page, and no Vega-Lite warning. The browser checks are in test/report-render.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type ContagionStudy, runContagionStudy } from "../engine/run-contagion-study.ts";
import { summarize } from "../monte-carlo/statistics.ts";
import { renderHtmlReport } from "./html-report.ts";
import { formatSummaryTable } from "./summary-table.ts";
import { columnName, runsCsv, summaryCsv } from "./write-report.ts";

let study: ContagionStudy;
beforeAll(async () => {
  ({ study } = await runContagionStudy({
    seeds: 3,
    modes: ["off", "negotiation"],
    settlement: "ledger",
    engine: { positionsPerLending: 150 },
  }));
});

describe("renderHtmlReport", () => {
  it("renders every section without a Vega-Lite warning, and says how long it took", async () => {
    const page = await renderHtmlReport(study);
    expect(page.warnings).toEqual([]);
    expect(page.charts).toBeGreaterThan(10);
    expect(page.chartMs).toBeGreaterThan(0);
    expect(page.totalMs).toBeGreaterThanOrEqual(page.chartMs);
    for (const id of [
      "conclusions",
      "summary",
      "distributions",
      "over-time",
      "prices",
      "protocols",
      "network",
      "loans",
      "definitions",
      "assumptions",
    ])
      expect(page.html, id).toContain(`<section id="${id}">`);
    // The demo replays June 2022: its report carries that family's backtest, with its ratio chart.
    const backtest = page.html.slice(page.html.indexOf('<section id="backtest">'));
    expect(backtest).toContain("whose backtest this is");
    expect(backtest).toContain('data-chart="backtest june-2022-steth-discount"');
    expect(page.html).toContain("charts rendered with Vega-Lite 6.4.3");
  });

  it("fills the backtest slot: simulated against reported, ratio, tolerance, what cannot be checked", async () => {
    const page = await renderHtmlReport({
      ...study,
      backtest: {
        scenario: "may-2021-deleveraging",
        rows: [
          {
            quantity: "Aave v2 WETH liquidations, 19 May 2021",
            unit: "USD",
            simulated: { value: 100e6, lo: 80e6, hi: 130e6, estimate: "median over 20 seeds" },
            reported: { value: 75.63e6 },
            source: "Messari subgraph, hourlyLiquidateUSD",
          },
          {
            quantity: "Maker bad debt, Black Thursday",
            unit: "USD",
            simulated: { value: 20e6, lo: 15e6, hi: 25e6, estimate: "mean over 20 seeds" },
            reported: { lo: 4.5e6, hi: 6.7e6 },
            source: "public post-mortems",
          },
          {
            quantity: "Compound liquidations",
            unit: "USD",
            simulated: null,
            reported: null,
            source: "-",
            uncheckable: "no hourly data shipped",
          },
        ],
      },
    });
    const section = page.html.slice(page.html.indexOf('<section id="backtest">'));
    expect(section).toContain("Backtest against history");
    expect(section).toContain("$75.63M");
    expect(section).toContain("1.32"); // 100 / 75.63
    expect(section).toContain("$4.50M to $6.70M");
    expect(section).toContain("3.57"); // 20 / 5.6, outside a factor of 2
    expect(section).toContain("<strong>no</strong>");
    expect(section).toContain("cannot be checked: no hourly data shipped");
  });

  it("shows a metric the registry does not know yet, with a guessed definition", async () => {
    const records = study.records.map((r) => ({ ...r, shinyNewLossUsd: 1e6 * r.seed }));
    const summaries = study.summaries.map((s) => ({
      ...s,
      metrics: {
        ...s.metrics,
        shinyNewLossUsd: summarize(records.filter((r) => r.mode === s.mode).map((r) => r.shinyNewLossUsd)),
      },
    }));
    const page = await renderHtmlReport({ ...study, records, summaries } as ContagionStudy);
    expect(page.html).toContain("Shiny new loss");
    expect(page.html).toContain("$2.00M"); // mean of seeds 1..3
    expect(page.html).toContain("no definition is registered yet");
    expect(page.html).toContain('data-chart="distribution shinyNewLossUsd"');
  });

  it("a study whose runs were done elsewhere (no detail) still renders, from its kept runs, and says so", async () => {
    const page = await renderHtmlReport({ ...study, detail: undefined });
    expect(page.html).toContain("remote workers");
    expect(page.html).toContain('data-chart="exposure network"');
    expect(page.warnings).toEqual([]);
  });

  it("keeps the chain's URL and the arbiter's address out of the page", async () => {
    const page = await renderHtmlReport({
      ...study,
      settlement: {
        ...study.settlement,
        backend: "chain",
        chain: {
          rpcUrl: "http://127.0.0.1:8545",
          chainId: 31337,
          arbiter: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
          startedAnvil: true,
        },
      },
    });
    expect(page.html).toContain("signed transaction to the LiquidityArbiter contract on a local anvil chain");
    expect(page.html).not.toContain("127.0.0.1");
    expect(page.html).not.toContain("8545");
    expect(page.html).not.toContain("0x5FbDB2315678afecb367f032d93F642f64180aa3");
  });
});

describe("tables and files", () => {
  it("the terminal table: a row per metric, recovery censored, VaR and LaR with intervals", () => {
    const text = formatSummaryTable(study);
    expect(text).toMatch(/Insolvent debt \(USD\)\s+\$/);
    expect(text).toMatch(/Recovered within horizon \(share\)\s+\d+%/);
    expect(text).toMatch(/VaR 95% \(insolvent debt\)\s+\$[\d.]+[kMB]? \[/);
    expect(text).not.toMatch(/^Time to recovery \(h\)/m);
  });

  it("CSV: every field of the runs' totals, money in USD; summaries without averaged censored hours", () => {
    expect(columnName("badDebtUsd8")).toBe("bad_debt_usd");
    expect(columnName("unpaidWithdrawalUsd8Hours")).toBe("unpaid_withdrawal_usd_hours");
    const runs = runsCsv(study).split("\n");
    expect(runs[0]).toMatch(/^mode,seed,sweep,bad_debt_usd,/);
    expect(runs[0]!.split(",")).toHaveLength(3 + Object.keys(study.records[0]!.totals).length);
    expect(runs).toHaveLength(study.records.length + 2);
    const summary = summaryCsv(study);
    expect(summary).toContain("recoveredShare");
    expect(summary).toContain("recoveryMedianHours");
    expect(summary).not.toContain(",recoveryHours,");
  });
});
