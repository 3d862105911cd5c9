import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTournament } from "./format-table.ts";
import { analyseOutcomes, nashDistance, paretoDistance } from "./outcome-space.ts";
import { playSession } from "./play-session.ts";
import { ROSTER } from "./roster.ts";
import { generateScenarios, valuationOf } from "./scenario.ts";
import { runTournament } from "./tournament.ts";

const tiny = {
  strategies: ["boulware", "conceder", "tit-for-tat"] as const,
  scenarios: 5,
  rounds: 8,
  seed: 7,
};

describe("tournament", () => {
  it("plays every pairing on every scenario and reports sane aggregates", () => {
    let progress = 0;
    const r = runTournament({ ...tiny, strategies: [...tiny.strategies], onProgress: (d) => (progress = d) });
    expect(progress).toBe(3 * 3 * 5);
    expect(r.pairs).toHaveLength(9);
    for (const x of r.pairs) {
      expect(x.sessions).toBe(5);
      expect(x.agreementRate).toBeGreaterThanOrEqual(0);
      expect(x.agreementRate).toBeLessThanOrEqual(1);
      for (const u of [x.lenderUtility, x.borrowerUtility]) {
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThanOrEqual(1);
      }
      expect(x.nashDistance).toBeGreaterThanOrEqual(0);
      expect(x.paretoDistance).toBeGreaterThanOrEqual(0);
      expect(x.paretoDistance).toBeLessThanOrEqual(x.nashDistance + 1e-9 + Math.SQRT2);
      expect(x.offers).toBeGreaterThan(0);
    }
    expect(r.ranking.map((x) => x.strategy).sort()).toEqual([...tiny.strategies].sort());
    expect(formatTournament(r)).toContain("Ranking");
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const a = runTournament({ ...tiny, strategies: [...tiny.strategies] });
    const b = runTournament({ ...tiny, strategies: [...tiny.strategies] });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = runTournament({ ...tiny, strategies: [...tiny.strategies], seed: 8 });
    expect(JSON.stringify(c.pairs)).not.toBe(JSON.stringify(a.pairs));
  });

  it("finds the Nash point and Pareto frontier of a scenario, and measures distances to them", () => {
    const [s] = generateScenarios({ count: 1, seed: 3, rounds: 10, latencyMs: 50 });
    const lender = valuationOf(s!, "lender");
    const borrower = valuationOf(s!, "borrower");
    const o = analyseOutcomes({ rfq: s!.rfq, lender, borrower });
    expect(o.nash).toBeDefined(); // seed 3 has a zone of agreement
    if (!o.nash) return;
    const d = o.disagreement;
    // No feasible frontier point has a larger Nash product.
    const product = (x: { lender: number; borrower: number }) =>
      (x.lender - d.lender) * (x.borrower - d.borrower);
    for (const x of o.pareto) expect(product(x)).toBeLessThanOrEqual(product(o.nash) + 1e-12);
    // The frontier is strictly trading one side's utility for the other's.
    for (let i = 1; i < o.pareto.length; i++) {
      expect(o.pareto[i]!.lender).toBeLessThan(o.pareto[i - 1]!.lender);
      expect(o.pareto[i]!.borrower).toBeGreaterThan(o.pareto[i - 1]!.borrower);
    }
    expect(nashDistance(o, o.nash)).toBe(0);
    expect(paretoDistance(o, o.nash)).toBe(0);
    expect(lender.utility(o.nash.terms)).toBeCloseTo(o.nash.lender, 9);
  });

  it("drives the real alternating-offers machine to agreement and to clean failure", () => {
    const [s] = generateScenarios({ count: 1, seed: 11, rounds: 10, latencyMs: 50 });
    const play = (lenderRes: number, borrowerRes: number) => {
      const lv = valuationOf(
        { ...s!, lender: { ...s!.lender, reservationRateBps: lenderRes, reservationUtility: 0 } },
        "lender",
      );
      const bv = valuationOf(
        { ...s!, borrower: { ...s!.borrower, reservationRateBps: borrowerRes, reservationUtility: 0 } },
        "borrower",
      );
      return playSession({
        rfq: s!.rfq,
        lender: ROSTER.linear({ valuation: lv, rfq: s!.rfq }),
        borrower: ROSTER.linear({ valuation: bv, rfq: s!.rfq }),
        maxRounds: 10,
        deadlineMs: 60_000,
        latencyMs: 50,
      });
    };
    const ok = play(0, s!.rfq.maxRateBps);
    expect(ok.lender.status).toBe("agreed");
    expect(ok.borrower.status).toBe("agreed");
    expect(ok.agreed).toBeDefined();
    const none = play(s!.rfq.maxRateBps, 0);
    expect(none.agreed).toBeUndefined();
    expect(none.lender.status).toBe("failed");
    expect(none.borrower.status).toBe("failed");
  });

  it("runs as a command, writing the table to stdout and JSON to --out", () => {
    const dir = mkdtempSync(join(tmpdir(), "tournament-"));
    const out = join(dir, "result.json");
    const stdout = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(import.meta.dirname, "cli.ts"),
        "--rounds",
        "6",
        "--scenarios",
        "2",
        "--seed",
        "5",
        "--strategies",
        "linear,conceder",
        "--out",
        out,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(stdout).toContain("Pairings (lender x borrower)");
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(json.parameters).toMatchObject({
      scenarios: 2,
      rounds: 6,
      seed: 5,
      strategies: ["linear", "conceder"],
    });
    expect(json.pairs).toHaveLength(4);
  });
});
