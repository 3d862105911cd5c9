import { describe, expect, it } from "vitest";
import { parseSliceCsv, writeSliceCsv } from "./slice-format.ts";

describe("slice CSV", () => {
  it("round-trips values (ten significant digits), flags and empty cells", () => {
    const table = {
      times: Float64Array.from([
        1_600_000_000 - (1_600_000_000 % 3600),
        1_600_000_000 - (1_600_000_000 % 3600) + 900,
      ]),
      hours: Float64Array.from([0, 0.25]),
      series: new Map([
        ["ETH", { values: Float64Array.from([1234.5678901234, Number.NaN]), flags: ["", ""] }],
        ["stETH/ETH", { values: Float64Array.from([0.97, 1]), flags: ["h", "sc"] }],
      ]),
    };
    const text = writeSliceCsv(table);
    expect(text.split("\n")[0]).toBe("time_utc,hour,ETH,ETH_flag,stETH/ETH,stETH/ETH_flag");
    const back = parseSliceCsv(text, "test");
    expect([...back.times]).toEqual([...table.times]);
    expect(back.series.get("ETH")!.values[0]).toBe(1234.56789);
    expect(Number.isNaN(back.series.get("ETH")!.values[1]!)).toBe(true);
    expect(back.series.get("stETH/ETH")!.flags).toEqual(["h", "sc"]);
    expect(writeSliceCsv(back)).toBe(text);
  });

  it("names a file that is not a slice", () => {
    expect(() => parseSliceCsv("a,b\n1,2\n", "x.csv")).toThrow(/x.csv: not a slice file/);
    expect(() => parseSliceCsv("time_utc,hour,ETH,ETH_flag\n2020-01-01T00:00:00Z,0,1\n", "y.csv")).toThrow(
      /y.csv line 2: 3 cells, expected 4/,
    );
  });
});
