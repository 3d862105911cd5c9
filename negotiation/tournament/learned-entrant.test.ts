/**
 * The tournament's learned-valuation entrant, with the shipped valuation model: its lender never
 * agrees below the higher of its true floor and the model's, the model's floor rises as the
 * collateral thins (the model's upper loss grows), and the tournament table lists it.
 */
import { describe, expect, it } from "vitest";
import { formatTournament } from "./format-table.ts";
import { learnedReservationRateBps } from "./learned-entrant.ts";
import { playSession } from "./play-session.ts";
import { ROSTER } from "./roster.ts";
import { generateScenarios, valuationOf } from "./scenario.ts";
import { runTournament } from "./tournament.ts";

describe("learned-valuation entrant", () => {
  it("its lender agrees only at or above both floors, against several borrowers", () => {
    const scenarios = generateScenarios({ count: 12, seed: 5, rounds: 12, latencyMs: 50 });
    let agreed = 0;
    for (const s of scenarios) {
      const floor = Math.max(
        s.lender.reservationRateBps,
        learnedReservationRateBps(s.rfq, s.collateralPriceUsd),
      );
      for (const borrower of ["conceder", "rate-only", "model-driven"] as const) {
        const played = playSession({
          rfq: s.rfq,
          lender: ROSTER["learned-valuation"]({
            valuation: valuationOf(s, "lender"),
            rfq: s.rfq,
            scenario: s,
          }),
          borrower: ROSTER[borrower]({ valuation: valuationOf(s, "borrower"), rfq: s.rfq, scenario: s }),
          maxRounds: s.maxRounds,
          deadlineMs: s.deadlineMs,
          latencyMs: 50,
        });
        if (!played.agreed) continue;
        agreed++;
        expect(played.agreed.rateBps).toBeGreaterThanOrEqual(floor);
      }
    }
    expect(agreed).toBeGreaterThan(0);
  });

  it("the model's floor rises as the collateral thins", () => {
    const [s] = generateScenarios({ count: 1, seed: 2, rounds: 10, latencyMs: 50 });
    const rfq = s!.rfq;
    const floors = [1, 0.6, 0.45].map((k) =>
      learnedReservationRateBps(
        { ...rfq, collateral: (rfq.collateral * BigInt(Math.round(k * 100))) / 100n },
        s!.collateralPriceUsd,
      ),
    );
    for (const f of floors) expect(Number.isFinite(f) && f > 0).toBe(true);
    expect(floors[2]!).toBeGreaterThan(floors[0]!);
  });

  it("the tournament table shows it beside the rule entrants", () => {
    const r = runTournament({
      strategies: ["learned-valuation", "model-driven", "rate-only"],
      scenarios: 4,
      rounds: 8,
      seed: 3,
    });
    expect(r.ranking.map((x) => x.strategy)).toContain("learned-valuation");
    expect(formatTournament(r)).toMatch(/learned-valuation/);
  });
});
