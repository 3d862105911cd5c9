import { describe, expect, it } from "vitest";
import { createRng } from "../../paths/prng.ts";
import { parseScenario } from "../load-scenario.ts";
import { listFamilies, PARAMETRIC_FAMILY_SPECS, sampleScenario } from "./catalogue.ts";
import { FamilySpecError, parseFamilySpec } from "./family-spec.ts";
import { sampleFamilyJson } from "./sample-family.ts";
import { buildTopology } from "./topology.ts";

const parametric = listFamilies().filter((f) => f.kind === "parametric");

describe("scenario families", () => {
  it("has at least 10 parametric families and every named scenario as a family", () => {
    expect(parametric.length).toBeGreaterThanOrEqual(10);
    expect(listFamilies().filter((f) => f.kind === "historic").length).toBeGreaterThanOrEqual(6);
    expect(new Set(listFamilies().map((f) => f.name)).size).toBe(listFamilies().length);
  });

  it("samples valid scenarios of all four kinds, deterministically per seed", () => {
    for (const f of parametric) {
      if (f.kind !== "parametric") continue;
      const a = sampleFamilyJson(f.spec, 7);
      expect(sampleFamilyJson(f.spec, 7)).toEqual(a);
      expect(sampleFamilyJson(f.spec, 8)).not.toEqual(a);
      const s = parseScenario(a, f.name);
      expect(s.protocols.length).toBeGreaterThanOrEqual(f.spec.protocols.min);
      expect(s.protocols.length).toBeLessThanOrEqual(f.spec.protocols.max);
      expect(new Set(s.protocols.map((p) => p.kind))).toEqual(new Set(["lending", "amm", "perp", "vault"]));
    }
  });

  it("spans 3 to 50 protocols and every topology", () => {
    const specs = parametric.flatMap((f) => (f.kind === "parametric" ? [f.spec] : []));
    expect(Math.min(...specs.map((s) => s.protocols.min))).toBe(3);
    expect(Math.max(...specs.map((s) => s.protocols.max))).toBe(50);
    expect(new Set(specs.map((s) => s.topology))).toEqual(
      new Set(["random", "core-periphery", "ring", "chain"]),
    );
  });

  it("samples historic families with seeded bootstrap paths", () => {
    const f = listFamilies().find((x) => x.name === "historic-may-2021-deleveraging")!;
    const s = sampleScenario(f, 3);
    expect(s.market?.paths).toBe("bootstrap");
    expect(s.seed).toBe(3);
  });

  it("rejects a bad spec naming the field", () => {
    const base = PARAMETRIC_FAMILY_SPECS[0]!;
    const bad = (change: object) => () => parseFamilySpec({ ...base, ...change }, "test");
    expect(bad({ protocols: { min: 3, max: 60 } })).toThrow(
      /protocols\.max: expected a whole number between 3 and 50/,
    );
    expect(bad({ shock: { size: [0.5, 0.2], speedHours: [1, 2], atShare: [0.1, 0.2] } })).toThrow(
      /shock\.size: expected low <= high/,
    );
    expect(bad({ topology: "star" })).toThrow(/topology: expected topology to be one of/);
    expect(bad({ kindWeights: { lending: 0, amm: 0, perp: 0, vault: 0 } })).toThrow(FamilySpecError);
  });
});

describe("topology", () => {
  const all = () => true;
  it("ring and chain link each protocol to the next; the ring closes", () => {
    const ring = buildTopology({
      topology: "ring",
      n: 5,
      meanDegree: 1,
      rng: createRng(1),
      canHold: all,
      canIssue: all,
    });
    expect(ring).toEqual([0, 1, 2, 3, 4].map((i) => ({ holder: i, issuer: (i + 1) % 5 })));
    const chain = buildTopology({
      topology: "chain",
      n: 5,
      meanDegree: 1,
      rng: createRng(1),
      canHold: all,
      canIssue: all,
    });
    expect(chain).toEqual([0, 1, 2, 3].map((i) => ({ holder: i, issuer: i + 1 })));
  });

  it("core-periphery: the core is complete, each periphery node linked both ways to one hub", () => {
    const edges = buildTopology({
      topology: "core-periphery",
      n: 9,
      meanDegree: 1,
      rng: createRng(2),
      canHold: all,
      canIssue: all,
    });
    const core = 3;
    expect(edges.filter((e) => e.holder < core && e.issuer < core)).toHaveLength(core * (core - 1));
    for (let i = core; i < 9; i++) {
      const out = edges.filter((e) => e.holder === i);
      expect(out).toHaveLength(1);
      expect(edges).toContainEqual({ holder: out[0]!.issuer, issuer: i });
    }
  });

  it("random: no self-loops or duplicates, about meanDegree claims each", () => {
    const edges = buildTopology({
      topology: "random",
      n: 50,
      meanDegree: 3,
      rng: createRng(3),
      canHold: all,
      canIssue: all,
    });
    expect(edges.every((e) => e.holder !== e.issuer)).toBe(true);
    expect(new Set(edges.map((e) => `${e.holder}-${e.issuer}`)).size).toBe(edges.length);
    expect(edges.length / 50).toBeGreaterThan(2);
    expect(edges.length / 50).toBeLessThan(4);
  });
});
