import { describe, expect, it } from "vitest";
import { type RunRecord, summarizeRecovery } from "../monte-carlo/run-monte-carlo.ts";
import { parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
import { runEngine } from "./run-engine.ts";
import { deepOutside, TEST_ASSUMPTION, vault } from "./testing/fixtures.ts";

const USD8 = 100_000_000n;

/** One fund owing 100M USDC; redemptions `mode`; a run of 1% an hour from hour 1. */
const fund = (mode: "paused" | "instant", extra: Partial<ScenarioJson> = {}): ScenarioJson => ({
  v: 1,
  name: "fund",
  title: "A fund facing a run",
  kind: "synthetic",
  source: "hand-made test scenario",
  notes: "numbers chosen to be checked by hand",
  time: { horizonHours: 4, stepHours: 1 },
  assets: [
    { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    { symbol: "XA", decimals: 18, priceUsd: 1, path: { model: "constant" } },
  ],
  protocols: [
    vault(
      "fund",
      "100000000",
      [
        { asset: "USDC", amount: "10000000", liquidity: "liquid" },
        { asset: "XA", amount: "100000000", liquidity: "illiquid" },
      ],
      { redemption: { mode } },
    ),
  ],
  withdrawalRuns: [
    {
      protocol: "fund",
      asset: "USDC",
      trigger: { kind: "time", atHours: 1 },
      sharePerHour: 0.01,
      maxShare: 0.5,
      assumption: TEST_ASSUMPTION,
    },
  ],
  outsideMarkets: [deepOutside("XA")],
  ...extra,
});

describe("depositors' harm counts next to bad debt", () => {
  it("unpaid withdrawal-hours add up what was asked and not paid, hour by hour", async () => {
    // Redemptions are paused: 1M asked at hours 1, 2, 3 and 4 (1% of an unchanged 100M), none
    // paid: 1M + 2M + 3M + 4M = 10M USD x hours.
    const r = await runEngine({ scenario: parseScenario(fund("paused")) });
    expect(r.totals.unpaidWithdrawalUsd8Hours).toBe(10_000_000n * USD8);
    expect(r.totals.peakUnmetUsd8).toBe(4_000_000n * USD8);
    // A pause is the fund's own rule: its depositors wait, but it is not a failure to pay.
    expect(r.totals.halts).toBe(0);
    // With redemptions open, the cash pays them and nobody waits.
    const open = await runEngine({ scenario: parseScenario(fund("instant")) });
    expect(open.totals.unpaidWithdrawalUsd8Hours).toBe(0n);
  });

  it("losses to depositors: what an insolvent protocol's assets no longer cover at the end", async () => {
    // XA falls 60% at hour 1: 10M + 40M of backing for 100M of redemptions at par.
    const r = await runEngine({
      scenario: parseScenario(fund("paused", { shocks: [{ asset: "XA", atHours: 1, magnitude: -0.6 }] })),
    });
    expect(r.totals.depositorLossUsd8).toBe(50_000_000n * USD8);
    expect(r.totals.insolvencies).toBe(1);
    expect(r.totals.badDebtUsd8).toBe(0n); // no lender was left with debt: the loss is the depositors'
  });
});

describe("time to recovery is censored", () => {
  const record = (recoveryHours: number | null): RunRecord =>
    ({ recovered: recoveryHours === null ? 0 : 1, recoveryHours }) as RunRecord;

  it("reports the share that recovered and the median among those, never the horizon", () => {
    const s = summarizeRecovery([record(10), record(30), record(null), record(20), record(null)]);
    expect(s.runs).toBe(5);
    expect(s.recovered).toBe(3);
    expect(s.share.value).toBeCloseTo(0.6, 12);
    expect(s.medianHours).toBe(20);
    expect(summarizeRecovery([record(null), record(null)]).medianHours).toBeNull();
  });

  it("a run that never recovers says so (null), instead of the horizon", async () => {
    const r = await runEngine({ scenario: parseScenario(fund("paused")) });
    expect(r.totals.recovered).toBe(false);
    expect(r.totals.recoveryHours).toBeNull();
  });
});
