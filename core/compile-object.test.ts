import { describe, expect, it } from "vitest";
import { assertPlainName, compileFunction, returnLiteral } from "./compile-object.ts";

describe("compile-object", () => {
  it("refuses names that are not plain identifiers (generated code must stay ours)", () => {
    for (const bad of ["a-b", "1a", "a b", "a;b", "", "__proto__", "a.b", "a\nb"])
      expect(() => assertPlainName(bad)).toThrow(TypeError);
    expect(assertPlainName("callRiskLevel")).toBe("callRiskLevel");
  });

  it("returns the fields in order, optional ones only when present, for every combination", () => {
    const f = compileFunction<(a: number, b?: number, c?: number, d?: number) => object>(
      "pick",
      ["a", "b", "c", "d"],
      returnLiteral([
        { name: "a", value: "a" },
        { name: "b", value: "b", present: "b !== undefined" },
        { name: "c", value: "c" },
        { name: "d", value: "d", present: "d !== undefined" },
      ]),
    );
    expect(Object.entries(f(1, 2, 3, 4))).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
      ["d", 4],
    ]);
    expect(Object.entries(f(1, undefined, 3, 4))).toEqual([
      ["a", 1],
      ["c", 3],
      ["d", 4],
    ]);
    expect(Object.entries(f(1, 2, 3))).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    expect(Object.keys(f(1, undefined, undefined))).toEqual(["a", "c"]);
  });

  it("binds values by name and names the function", () => {
    const add = compileFunction<(x: number) => number>("addK", ["x"], "return x + k;", { k: 5 });
    expect(add(1)).toBe(6);
    expect(add.name).toBe("addK");
    expect(() => compileFunction("bad name", [], "")).toThrow(TypeError);
    expect(() => compileFunction("f", ["x"], "", { "x-y": 1 })).toThrow(TypeError);
  });
});
