/**
 * Loan lifecycles from the contract's events, on the real engine and the real ledger: watching a
 * backend changes no result, and every loan the engine reports is recorded once, at its hour.
 */
import { describe, expect, it } from "vitest";
import { createBuiltinPolicy } from "../engine/builtin-policy.ts";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { runEngine } from "../engine/run-engine.ts";
import { bank } from "../engine/testing/fixtures.ts";
import { runMonteCarlo } from "../monte-carlo/run-monte-carlo.ts";
import { loadScenario, parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
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
      const ended = (o: LoanRecord["outcome"]) => loans!.filter((l) => l.outcome === o).length;
      expect(closed).toBe(record.totals.defaults + ended("repaid") + ended("liquidated"));
      expect(loans!.filter((l) => l.toppedUp).length).toBe(record.totals.loansToppedUp);
      expect(loans!.filter((l) => l.liquidations > 0).length).toBe(record.totals.loansLiquidated);
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

  it("records a margined loan liquidated in a collateral gap, as the contract's Liquidated events say", async () => {
    const s = bank(false);
    const gap = {
      ...s,
      assets: s.assets.map((a) =>
        a.symbol === "ETH"
          ? {
              ...a,
              path: {
                model: "scripted",
                keyframes: [
                  { hours: 7, change: 0 },
                  { hours: 8, change: -0.3 },
                ],
              },
            }
          : a,
      ),
    } as ScenarioJson;
    const watched = recordLoans(createLedgerBackend());
    const r = await runEngine({
      scenario: parseScenario(gap),
      options: { positionsPerLending: 20 },
      policy: createBuiltinPolicy({ negotiation: true, derisking: false }),
      settlement: watched.backend,
    });
    const loans = watched.takeRun()!;
    expect(loans).toHaveLength(1);
    const [loan] = loans;
    // The bank's top-up, decided on the same look as the lender's liquidation, lands after it.
    expect(loan).toMatchObject({ lender: "lender", borrower: "bank", margined: true, toppedUp: true });
    // One liquidation at hour 8 takes all the escrow (health 0.83: below 0.95, and the collateral
    // covers less than the debt plus the bonus), leaving a rest the bank repays the next hour.
    expect(r.events.filter((e) => e.type === "liquidated").map((e) => e.step)).toEqual([8]);
    expect(loan!.liquidations).toBe(1);
    expect(loan!).toMatchObject({ outcome: "repaid", closedHour: 9 });
  });
});
