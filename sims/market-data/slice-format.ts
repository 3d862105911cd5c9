/**
 * The slice file format (one CSV per window, in sims/market-data/slices/): a header
 * `time_utc,hour,<series>,<series>_flag,...`, then one row per grid time. Values carry at most
 * ten significant digits; an empty cell means the series has no value at that time (hourly
 * exchange closes in a 15-minute window). Written by the build script, read at run time.
 */
import { MarketDataError } from "./errors.ts";

export type SliceTable = {
  /** Grid times, UTC seconds. */
  times: Float64Array;
  /** Hours from the window's start. */
  hours: Float64Array;
  series: Map<string, { values: Float64Array; flags: string[] }>;
};

export const formatValue = (x: number): string => (Number.isNaN(x) ? "" : String(Number(x.toPrecision(10))));

export function writeSliceCsv(table: SliceTable): string {
  const names = [...table.series.keys()];
  const lines = [["time_utc", "hour", ...names.flatMap((n) => [n, `${n}_flag`])].join(",")];
  for (let k = 0; k < table.times.length; k++) {
    const cells = [
      new Date(table.times[k]! * 1000).toISOString().replace(".000Z", "Z"),
      String(table.hours[k]),
    ];
    for (const n of names) {
      const s = table.series.get(n)!;
      cells.push(formatValue(s.values[k]!), s.flags[k]!);
    }
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}

export function parseSliceCsv(text: string, origin: string): SliceTable {
  const lines = text.trimEnd().split("\n");
  const header = lines[0]?.split(",") ?? [];
  if (header[0] !== "time_utc" || header[1] !== "hour" || header.length % 2 !== 0)
    throw new MarketDataError({ problem: `${origin}: not a slice file (header "${lines[0]}")` });
  const names: string[] = [];
  for (let c = 2; c < header.length; c += 2) names.push(header[c]!);
  const n = lines.length - 1;
  const table: SliceTable = {
    times: new Float64Array(n),
    hours: new Float64Array(n),
    series: new Map(
      names.map((name) => [name, { values: new Float64Array(n), flags: new Array<string>(n) }]),
    ),
  };
  for (let k = 0; k < n; k++) {
    const cells = lines[k + 1]!.split(",");
    if (cells.length !== header.length)
      throw new MarketDataError({
        problem: `${origin} line ${k + 2}: ${cells.length} cells, expected ${header.length}`,
      });
    table.times[k] = Date.parse(cells[0]!) / 1000;
    table.hours[k] = Number(cells[1]);
    names.forEach((name, i) => {
      const s = table.series.get(name)!;
      const cell = cells[2 + 2 * i]!;
      s.values[k] = cell === "" ? Number.NaN : Number(cell);
      s.flags[k] = cells[3 + 2 * i]!;
    });
  }
  return table;
}
