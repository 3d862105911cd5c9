import { describe, expect, it } from "vitest";
import { concludeStudy, concludeSweep } from "./conclusions.ts";
import { createStudyView } from "./study-view.ts";
import { fakeRuns, fakeStudy, zeroMargins } from "./testing/fake-study.ts";

const M = 1e6;
const conclude = (study: ReturnType<typeof fakeStudy>) => concludeStudy(createStudyView(study));
const text = (c: { sentences: string[] }) => c.sentences.join(" ");

describe("concludeStudy", () => {
  it("calls a paired cut a gain and quotes the numbers it comes from", () => {
    const study = fakeStudy({
      runs: [
        ...fakeRuns("off", 10, (s) => ({
          metrics: { insolventDebtUsd: 20 * M + s * 0.1 * M, liquidationUsd: 300 * M },
          recoveryHours: 80,
        })),
        ...fakeRuns("negotiation", 10, (s) => ({
          metrics: { insolventDebtUsd: 5 * M + s * 0.1 * M, liquidationUsd: 300 * M },
          recoveryHours: 70,
          loans: { ...zeroMargins, loans: 4, repaid: 1, defaulted: 1, outstanding: 2, outstandingUsd: 3 * M },
        })),
      ],
    });
    const [off, negotiation] = conclude(study);
    expect(off!.verdict).toBe("baseline");
    expect(text(off!)).toContain("Without agents, over 10 seeds");
    expect(text(off!)).toContain("insolvent debt $20.55M");
    expect(negotiation!.verdict).toBe("better");
    expect(text(negotiation!)).toContain(
      "negotiation cut insolvent debt from $20.55M to $5.55M (-$15.00M per run, -73%, 95% CI -$15.00M to -$15.00M)",
    );
    expect(text(negotiation!)).toContain("Identical to off in every seed: liquidations.");
    expect(text(negotiation!)).toContain(
      "Agents settled 4 loans per run on average: 1 repaid, 1 defaulted and 2 ($3.00M) still outstanding at the horizon.",
    );
    expect(text(negotiation!)).toContain(
      "10 of 10 runs recovered within the 96-hour horizon, median 70.0 h (off: 10 of 10, median 80.0 h).",
    );
  });

  it("names the cost of a trade-off", () => {
    const study = fakeStudy({
      runs: [
        ...fakeRuns("off", 8, (s) => ({
          metrics: { insolventDebtUsd: 10 * M + s * M, peakUnmetUsd: 0 },
          recoveryHours: 50,
        })),
        ...fakeRuns("derisking", 8, (s) => ({
          metrics: { insolventDebtUsd: 4 * M + s * 0.5 * M, peakUnmetUsd: 100 * M + s * M },
          recoveryHours: 60,
        })),
      ],
    });
    const derisking = conclude(study)[1]!;
    expect(derisking.verdict).toBe("trade-off");
    expect(text(derisking)).toMatch(
      /^A trade-off: compared with off over 8 paired seeds, derisking cut insolvent debt from \$14\.50M to \$6\.25M/,
    );
    expect(text(derisking)).toContain(
      "at the cost of higher peak unpaid withdrawals from $0 to $104.50M (+$104.50M per run, 95% CI",
    );
  });

  it("says a mode changed nothing detectable when every interval includes zero", () => {
    const noise = (s: number) => (s % 2 === 0 ? 1 : -1) * M;
    const study = fakeStudy({
      runs: [
        ...fakeRuns("off", 12, () => ({ metrics: { insolventDebtUsd: 10 * M }, recoveryHours: 40 })),
        ...fakeRuns("derisking", 12, (s) => ({
          metrics: { insolventDebtUsd: 10 * M + noise(s) },
          recoveryHours: 40,
        })),
      ],
    });
    const derisking = conclude(study)[1]!;
    expect(derisking.verdict).toBe("no-change");
    expect(text(derisking)).toContain("derisking changed no harm measure detectably");
  });

  it("zero loans: a negotiating mode that never lent says so, and that it ran as agents off", () => {
    const study = fakeStudy({
      runs: [
        ...fakeRuns("off", 5, (s) => ({
          metrics: { insolventDebtUsd: s * M, negotiatedUsd: 0 },
          recoveryHours: 30,
        })),
        ...fakeRuns("negotiation", 5, (s) => ({
          metrics: { insolventDebtUsd: s * M, negotiatedUsd: 0 },
          recoveryHours: 30,
          loans: { ...zeroMargins, loans: 0, repaid: 0, defaulted: 0, outstanding: 0, outstandingUsd: 0 },
        })),
      ],
    });
    const negotiation = conclude(study)[1]!;
    expect(negotiation.verdict).toBe("identical");
    expect(text(negotiation)).toContain("Negotiation ran exactly as off in every seed");
    expect(text(negotiation)).toContain("No loan was negotiated in any of the 5 seeds.");
  });

  it("all seeds censored: no mean or median of time to recovery, in either mode", () => {
    const study = fakeStudy({
      runs: [
        ...fakeRuns("off", 6, (s) => ({ metrics: { insolventDebtUsd: s * M }, recoveryHours: null })),
        ...fakeRuns("both", 6, (s) => ({ metrics: { insolventDebtUsd: s * 0.5 * M }, recoveryHours: null })),
      ],
      horizonHours: 72,
    });
    const [off, both] = conclude(study);
    expect(text(off!)).toContain(
      "No run recovered within the 72-hour horizon: time to recovery is censored in all 6 runs, so it has no mean or median.",
    );
    expect(text(both!)).toContain(
      "No run recovered within the 72-hour horizon in either mode (all 12 censored), so time to recovery cannot be compared.",
    );
    expect(text(both!)).not.toContain("median");
  });

  it("one mode only: levels, tail and a pointer to the modes to compare", () => {
    const study = fakeStudy({
      runs: fakeRuns("both", 20, (s) => ({
        metrics: { insolventDebtUsd: s * M, liquidationUsd: 0 },
        recoveryHours: 10,
      })),
    });
    const conclusions = conclude(study);
    expect(conclusions).toHaveLength(1);
    expect(conclusions[0]!.verdict).toBe("alone");
    expect(text(conclusions[0]!)).toContain(
      "With both, over 20 seeds (mean [95% CI] per run): insolvent debt $10.50M [",
    );
    expect(text(conclusions[0]!)).toContain("Zero in every seed: liquidations.");
    expect(text(conclusions[0]!)).toContain("VaR 95% of insolvent debt: $19.05M [");
    expect(text(conclusions[0]!)).toContain("This study ran one mode only");
  });

  it("one seed: no intervals claimed", () => {
    const study = fakeStudy({
      runs: [
        { mode: "off", seed: 7, metrics: { insolventDebtUsd: 9 * M }, recoveryHours: 12 },
        { mode: "negotiation", seed: 7, metrics: { insolventDebtUsd: 3 * M }, recoveryHours: 12 },
      ],
    });
    const [off, negotiation] = conclude(study);
    expect(text(off!)).toContain("in the single seed run (no interval possible)");
    expect(text(negotiation!)).toContain(
      "in the single seed run (no interval possible), negotiation cut insolvent debt from $9.00M to $3.00M (-$6.00M per run, -67%)",
    );
    expect(text(negotiation!)).not.toContain("95% CI");
  });

  it("notices two modes that ran the same", () => {
    const study = fakeStudy({
      runs: [
        ...fakeRuns("off", 4, (s) => ({ metrics: { insolventDebtUsd: 10 * M + s }, recoveryHours: 5 })),
        ...fakeRuns("derisking", 4, (s) => ({ metrics: { insolventDebtUsd: 2 * M + s }, recoveryHours: 5 })),
        ...fakeRuns("both", 4, (s) => ({ metrics: { insolventDebtUsd: 2 * M + s }, recoveryHours: 5 })),
      ],
    });
    expect(text(conclude(study)[2]!)).toContain("Every figure equals derisking's in every seed.");
  });
});

describe("concludeSweep", () => {
  it("follows the headline metric over the swept values and counts paired wins", () => {
    const values = [0.25, 1];
    const runs = values.flatMap((v) => [
      ...fakeRuns("off", 5, (s) => ({
        sweep: v,
        metrics: { insolventDebtUsd: v * 40 * M + s },
        recoveryHours: 5,
      })),
      ...fakeRuns("negotiation", 5, (s) => ({
        sweep: v,
        metrics: { insolventDebtUsd: v * 10 * M + s },
        recoveryHours: 5,
      })),
    ]);
    const view = createStudyView(fakeStudy({ runs, sweep: { option: "arbitrageRecoveryPerHour", values } }));
    const [off, negotiation] = concludeSweep(view);
    expect(off!.sentences[0]).toBe(
      "Insolvent debt (mean per run) went from $10.00M at arbitrageRecoveryPerHour = 0.25 to $40.00M at 1; lowest $10.00M at 0.25, highest $40.00M at 1. VaR 95% went from $10.00M to $40.00M.",
    );
    expect(negotiation!.sentences[1]).toBe(
      "Against off (paired 95% intervals): lower insolvent debt at 2 of 2 values, higher at 0.",
    );
    // Every swept value has its own conclusions too.
    expect(concludeStudy(view).map((c) => `${c.sweep} ${c.mode}`)).toEqual([
      "0.25 off",
      "0.25 negotiation",
      "1 off",
      "1 negotiation",
    ]);
  });
});
