import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createBuiltinPolicy } from "../engine/builtin-policy.ts";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { runEngine } from "../engine/run-engine.ts";
import { listScenarios, loadScenario, parseScenario } from "../scenarios/load-scenario.ts";
import { scenarioToJson } from "./scenario-to-json.ts";
import { decodeMessage, encodeMessage, floats, JobMessage, ResultMessage } from "./schemas.ts";

const bytes = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

describe("wire schemas", () => {
  it("carry a full RunResult (bigints, typed arrays, events) unchanged", async () => {
    const result = await runEngine({
      scenario: loadScenario(DEFAULT_SCENARIO),
      seed: 3,
      options: { positionsPerLending: 40 },
      policy: createBuiltinPolicy({ negotiation: true, derisking: true }),
    });
    expect(result.events.length).toBeGreaterThan(0);
    const message = {
      v: 1,
      kind: "sims.result",
      studyId: "s1",
      index: 0,
      worker: "w",
      durationMs: 1,
      result,
    } as const;
    const decoded = decodeMessage(ResultMessage, encodeMessage(ResultMessage, message));
    expect(decoded).toEqual({ ok: true, value: message });
  });

  it("keep floats JSON cannot hold", () => {
    const f = Float64Array.of(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0.1);
    const wire = JSON.parse(JSON.stringify(z.encode(floats, f)));
    expect(wire).toEqual(["NaN", "Infinity", "-Infinity", "-0", 0.1]);
    const back = floats.parse(wire);
    expect(back).toBeInstanceOf(Float64Array);
    expect([...back].every((x, i) => Object.is(x, f[i]))).toBe(true);
  });

  it("reject a job that is not version 1, or names an unknown mode, saying which field", () => {
    const good = { v: 1, kind: "sims.job", studyId: "s1", index: 0, mode: "off", seed: 1, sweep: null };
    expect(decodeMessage(JobMessage, bytes(good)).ok).toBe(true);
    const bad = decodeMessage(JobMessage, bytes({ ...good, v: 2, mode: "panic" }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toMatch(/→ at v/);
      expect(bad.error).toMatch(/→ at mode/);
    }
    const badId = decodeMessage(JobMessage, bytes({ ...good, studyId: "a.b" }));
    expect(badId.ok).toBe(false);
    expect(decodeMessage(JobMessage, new TextEncoder().encode("{not json")).ok).toBe(false);
  });

  it("reject a result whose money is not an integer string", () => {
    const bad = decodeMessage(
      ResultMessage,
      bytes({ v: 1, kind: "sims.result", result: { totals: { badDebtUsd8: 1.5 } } }),
    );
    expect(bad.ok).toBe(false);
  });
});

describe("scenarioToJson", () => {
  it("is the inverse of the scenario schema for every shipped scenario", () => {
    for (const name of [...listScenarios(), DEFAULT_SCENARIO]) {
      const s = loadScenario(name);
      expect(parseScenario(JSON.parse(JSON.stringify(scenarioToJson(s))))).toEqual(s);
    }
  });
});
