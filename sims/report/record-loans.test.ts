/**
 * Loan lifecycles from the contract's events, on the real engine and the real ledger: watching a
 * backend changes no result, and every loan the engine reports is recorded once, at its hour.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { runMonteCarlo } from "../monte-carlo/run-monte-carlo.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { createLedgerBackend } from "../settlement/ledger-backend.ts";
import { type LoanRecord, recordLoans } from "./record-loans.ts";

const scenario = loadScenario(DEFAULT_SCENARIO);
const study = {
  scenario,
  seeds: [1, 2],
  modes: ["negotiation"] as const,
  options: { positionsPerLending: 150 },
};

describe("recordLoans", () => {
  it("records every settled loan of each run without changing the run", async () => {
    const plain = await runMonteCarlo({ ...study, settlement: createLedgerBackend() });
    const watched = recordLoans(createLedgerBackend());
    const perRun: (LoanRecord[] | undefined)[] = [];
    const events: { step: number; lender: string; borrower: string }[][] = [];
    const recorded = await runMonteCarlo({
      ...study,
      settlement: watched.backend,
      keepSeed: 1,
      onRun: ({ result }) => {
        perRun.push(watched.takeRun());
        events.push(result.events.flatMap((e) => (e.type === "loan" ? [e] : [])));
      },
    });
    expect(recorded.records).toEqual(plain.records);
    expect(recorded.settlement.total).toEqual(plain.settlement.total);
    expect(perRun).toHaveLength(2);
    const total = perRun.reduce((s, loans) => s + loans!.length, 0);
    expect(total).toBeGreaterThan(0);
    perRun.forEach((loans, run) => {
      const record = recorded.records[run]!;
      expect(loans).toHaveLength(record.totals.loans);
      // Same loans, same hours, same parties, in settlement order.
      expect(loans!.map((l) => [l.settledHour, l.lender, l.borrower])).toEqual(
        events[run]!.map((e) => [e.step * 1, e.lender, e.borrower]),
      );
      const closed = loans!.filter((l) => l.outcome !== "outstanding").length;
      expect(closed).toBe(record.totals.defaults + loans!.filter((l) => l.outcome === "repaid").length);
      for (const l of loans!) {
        // Dust loans (principal under a cent) exist on this engine: issue 11 item 6.
        expect(l.principalUsd).toBeGreaterThanOrEqual(0);
        expect(l.maturityHour).toBeGreaterThan(l.settledHour);
        expect(l.closedHour === null).toBe(l.outcome === "outstanding");
      }
    });
    // Taken once per run.
    expect(watched.takeRun()).toBeUndefined();
  });
});
