import { describe, expect, it } from "vitest";
import { METRICS } from "../monte-carlo/run-monte-carlo.ts";
import {
  DERIVED_METRICS,
  orderedKeys,
  PROTOCOL_METRICS,
  protocolMetric,
  RUN_METRICS,
  runMetric,
  SERIES,
  seriesDefinition,
} from "./metric-definitions.ts";

describe("metric definitions", () => {
  it("every entry has a label, a unit, a definition and a formatter", () => {
    for (const d of [...RUN_METRICS, ...Object.values(DERIVED_METRICS), ...PROTOCOL_METRICS, ...SERIES]) {
      expect(d.label.length, d.key).toBeGreaterThan(2);
      expect(d.noun.length, d.key).toBeGreaterThan(2);
      expect(d.definition.length, d.key).toBeGreaterThan(30);
      expect(typeof d.format(1234567), d.key).toBe("string");
      expect(d.guessed, d.key).toBeUndefined();
    }
  });

  it("registers every metric the engine's studies summarise today", () => {
    for (const m of METRICS) expect(runMetric(m).guessed, m).toBeUndefined();
  });

  it("formats by unit", () => {
    expect(runMetric("insolventDebtUsd").format(18_950_000)).toBe("$18.95M");
    expect(runMetric("unpaidWithdrawalUsdHours").format(2_500_000)).toBe("$2.50M·h");
    expect(DERIVED_METRICS.recoveredShare.format(0.8)).toBe("80%");
    expect(DERIVED_METRICS.recoveryMedianHours.format(77)).toBe("77.0 h");
    expect(runMetric("insolvencies").format(0.8)).toBe("0.80");
  });

  it("guesses a definition for a metric it does not know yet, from the key", () => {
    const d = runMetric("shinyNewLossUsd");
    expect(d).toMatchObject({ label: "Shiny new loss", unit: "USD", guessed: true });
    expect(d.format(2e6)).toBe("$2.00M");
    expect(d.definition).toContain('"shinyNewLossUsd"');
    expect(runMetric("waitingHours").unit).toBe("h");
    expect(protocolMetric("somethingUsd8").unit).toBe("USD");
    expect(seriesDefinition("brandNew")).toMatchObject({ kind: "level", guessed: true });
  });

  it("orders known keys as registered, unknown ones after, in the order given", () => {
    expect(orderedKeys(["zeta", "liquidationUsd", "insolventDebtUsd", "alpha"], RUN_METRICS)).toEqual([
      "insolventDebtUsd",
      "liquidationUsd",
      "zeta",
      "alpha",
    ]);
  });
});
