import { describe, expect, it } from "vitest";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import type { RunResult } from "../engine/run-engine.ts";
import { runMonteCarlo } from "../monte-carlo/run-monte-carlo.ts";
import { quantile } from "../monte-carlo/statistics.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { withPricePaths } from "../scenarios/with-price-paths.ts";
import { createLedgerBackend } from "../settlement/ledger-backend.ts";
import { recordLoans } from "./record-loans.ts";
import {
  bandOf,
  bucketSeries,
  createReportDetailCollector,
  MAX_POINTS,
  protocolOutcome,
  type ReportRun,
} from "./report-detail.ts";

describe("report detail helpers", () => {
  it("buckets: a flow becomes its running total, a level keeps each bucket's last value", () => {
    expect(Array.from(bucketSeries([1, 2, 3, 4, 5], 1, "flow"))).toEqual([1, 3, 6, 10, 15]);
    expect(Array.from(bucketSeries([1, 2, 3, 4, 5], 2, "flow"))).toEqual([3, 10, 15]);
    expect(Array.from(bucketSeries([1, 2, 3, 4, 5], 2, "level"))).toEqual([2, 4, 5]);
  });

  it("bands: median and 5th-95th percentile at each point, over runs", () => {
    const runs = Array.from({ length: 21 }, (_, r) => [r, 2 * r]);
    const band = bandOf(runs);
    expect(band.median).toEqual([10, 20]);
    expect(band.lo).toEqual([1, 2]);
    expect(band.hi).toEqual([19, 38]);
    expect(bandOf([])).toEqual({ median: [], lo: [], hi: [] });
  });

  it("reads a protocol's end state as numbers: money in USD, flags and halts as 0/1", () => {
    expect(
      protocolOutcome({
        id: "fund",
        equityUsd8: -250_000_000n,
        insolvent: true,
        haltedHour: 12,
        defaulted: false,
        writeDownLossUsd8: 0n,
      }),
    ).toEqual({ equityUsd8: -2.5, insolvent: 1, haltedHour: 1, defaulted: 0, writeDownLossUsd8: 0 });
    expect(protocolOutcome({ haltedHour: null })).toEqual({ haltedHour: 0 });
  });
});

describe("createReportDetailCollector", () => {
  it("keeps bands over every seed, prices against the paths and the real window, protocols, network, loans", async () => {
    const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: "bootstrap" });
    const seeds = [1, 2, 3, 4];
    const collector = createReportDetailCollector({ scenario, keepSeed: 1 });
    const loans = recordLoans(createLedgerBackend());
    const results: RunResult[] = [];
    const runs: ReportRun[] = [];
    await runMonteCarlo({
      scenario,
      seeds,
      modes: ["off", "negotiation"],
      options: { positionsPerLending: 150 },
      settlement: loans.backend,
      onRun: (run) => {
        const r = { ...run, loans: loans.takeRun() };
        runs.push(r);
        results.push(run.result);
        collector.add(r);
      },
    });
    const detail = collector.finish()!;
    expect(detail.groups.map((g) => [g.mode, g.seeds])).toEqual([
      ["off", seeds],
      ["negotiation", seeds],
    ]);
    expect(detail.hours).toHaveLength(results[0]!.series.hours.length);
    const negotiation = detail.groups[1]!;
    const last = detail.hours.length - 1;
    // The band of unpaid withdrawals at the last hour is the quantiles of the runs' values there.
    const unmet = results.slice(4).map((r) => r.series.unmetUsd[last]!);
    expect(negotiation.series.unmetUsd!.median[last]).toBeCloseTo(quantile(unmet, 0.5), 6);
    expect(negotiation.series.unmetUsd!.hi[last]).toBeCloseTo(quantile(unmet, 0.95), 6);
    // Liquidations are a flow: charted as their running total, which ends at the run's total.
    const liquidations = results.slice(4).map((r) => Number(r.totals.liquidationUsd8) / 1e8);
    expect(negotiation.series.liquidationUsd!.median[last]).toBeCloseTo(quantile(liquidations, 0.5), 0);
    // Network: the mean over seeds.
    const n = results[0]!.protocols.length;
    const edge = results.slice(4).reduce((s, r) => s + r.network.end[1]!, 0) / 4;
    expect(negotiation.network.end[1]).toBeCloseTo(edge, 6);
    expect(negotiation.network.start).toHaveLength(n * n);
    // Per protocol: one value per seed of every end field.
    expect(negotiation.protocols).toHaveLength(n);
    expect(negotiation.protocols[0]!.insolvent).toHaveLength(4);
    expect(negotiation.protocols[0]!.equityUsd8).toHaveLength(4);
    // Prices: seeded paths vary; the real window exists for market assets only.
    const eth = detail.prices.find((p) => p.symbol === "ETH")!;
    expect(eth.real).toHaveLength(detail.hours.length);
    expect(eth.path!.hi[last]).toBeGreaterThan(eth.path!.lo[last]!);
    expect(detail.prices.find((p) => p.symbol === "USDC")!.real).toBeUndefined();
    expect(detail.realWindow).toBe("june-2022-steth-discount");
    expect(negotiation.marketPrices.ETH!.median).toHaveLength(detail.hours.length);
    // Loans: per seed counts equal the engine's, the kept seed one by one.
    expect(negotiation.loans!.perSeed.map((s) => s.loans)).toEqual(
      results.slice(4).map((r) => r.totals.loans),
    );
    expect(negotiation.loans!.kept).toEqual(runs[4]!.loans);
    expect(detail.groups[0]!.loans!.perSeed.every((s) => s.loans === 0)).toBe(true);
  });

  it("buckets a long horizon to at most MAX_POINTS points, and marks loans unknown when not watched", async () => {
    const steps = 1000;
    const series = new Float64Array(steps + 1).fill(1);
    const result = {
      seed: 1,
      policy: "off",
      steps,
      stepHours: 1,
      assets: [],
      protocols: [],
      series: {
        hours: Float64Array.from({ length: steps + 1 }, (_, k) => k),
        prices: [],
        liquidationUsd: series,
      },
      end: [],
      network: { start: new Float64Array(0), end: new Float64Array(0) },
    } as unknown as RunResult;
    const collector = createReportDetailCollector({ keepSeed: 1 });
    collector.add({ mode: "off", seed: 1, result });
    const detail = collector.finish()!;
    expect(detail.hours.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(detail.bucketHours).toBe(5);
    expect(detail.hours.at(-1)).toBe(1000);
    expect(detail.groups[0]!.series.liquidationUsd!.median.at(-1)).toBe(1001);
    expect(detail.groups[0]!.loans).toBeUndefined();
    expect(createReportDetailCollector({ keepSeed: 1 }).finish()).toBeUndefined();
  });
});
