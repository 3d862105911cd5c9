import { describe, expect, it } from "vitest";
import { CONTAGION_FEATURES, CONTAGION_HORIZONS } from "../../models/contagion/features.ts";
import { COLUMNS, FEATURE_NAMES, HORIZONS_HOURS } from "./columns.ts";

describe("dataset columns", () => {
  it("are the contagion model's inputs, in its order, with its horizons", () => {
    expect(FEATURE_NAMES).toEqual([...CONTAGION_FEATURES]);
    expect([...HORIZONS_HOURS]).toEqual([...CONTAGION_HORIZONS]);
  });
  it("have unique names and a description each", () => {
    expect(new Set(COLUMNS.map((c) => c.name)).size).toBe(COLUMNS.length);
    for (const c of COLUMNS) expect(c.description.length).toBeGreaterThan(5);
  });
});
