/**
 * A sample for seeded price models: the hourly innovations of some series over one or more crisis
 * windows, as one matrix whose rows are hours and whose columns are series, plus where each
 * window's rows start (so a bootstrap block never runs from one window into the next).
 *
 * Innovations by kind (catalogue.ts): a `price` series contributes its hourly log returns; a `peg`
 * or `ratio` series its AR(1) residuals e_t = x_t - phi x_{t-1} of x = log(level), given phi.
 * Row t of window w holds the move from hour t to hour t + 1 of w, for every series at once.
 */
import type { Segment } from "../paths/stationary-bootstrap.ts";
import type { SeriesKind } from "./catalogue.ts";
import { MarketDataError } from "./errors.ts";
import type { SliceTable } from "./slice-format.ts";

const HOUR = 3600;

/** The series' values at the window's full hours (hour 0..hours). */
export function hourlyValues(table: SliceTable, series: string, origin: string): Float64Array {
  const column = table.series.get(series);
  if (!column) throw new MarketDataError({ problem: `${origin} has no series "${series}"` });
  const out: number[] = [];
  for (let k = 0; k < table.times.length; k++) {
    if (table.times[k]! % HOUR !== 0) continue;
    const v = column.values[k]!;
    if (!(v > 0))
      throw new MarketDataError({
        problem: `${origin} ${series}: no positive value at hour ${table.hours[k]}`,
      });
    out.push(v);
  }
  return Float64Array.from(out);
}

export type MarketSample = {
  series: readonly string[];
  kinds: readonly SeriesKind[];
  /** AR(1) coefficient per column (NaN for price series). */
  phi: Float64Array;
  /** innovations[row * series.length + column]. */
  innovations: Float64Array;
  rows: number;
  segments: Segment[];
  /** Each window's hourly levels per series, for statistics (levels[window][column]). */
  levels: Float64Array[][];
};

export type BuildMarketSampleParameters = {
  windows: readonly { id: string; table: SliceTable }[];
  series: readonly string[];
  kinds: readonly SeriesKind[];
  /** phi of each peg or ratio column (ignored for price columns). */
  phi: readonly number[];
};

export function buildMarketSample({
  windows,
  series,
  kinds,
  phi,
}: BuildMarketSampleParameters): MarketSample {
  const n = series.length;
  const levels = windows.map((w) => series.map((s) => hourlyValues(w.table, s, w.id)));
  const rows = levels.reduce((sum, l) => sum + l[0]!.length - 1, 0);
  const innovations = new Float64Array(rows * n);
  const segments: Segment[] = [];
  let row = 0;
  for (const l of levels) {
    const length = l[0]!.length - 1;
    segments.push({ start: row, length });
    for (let t = 0; t < length; t++) {
      for (let c = 0; c < n; c++) {
        const now = Math.log(l[c]![t + 1]!);
        const before = Math.log(l[c]![t]!);
        innovations[(row + t) * n + c] = kinds[c] === "price" ? now - before : now - phi[c]! * before;
      }
    }
    row += length;
  }
  return {
    series,
    kinds,
    phi: Float64Array.from(kinds, (k, c) => (k === "price" ? Number.NaN : phi[c]!)),
    innovations,
    rows,
    segments,
    levels,
  };
}

/** Column c of the innovation matrix. */
export function innovationColumn(sample: MarketSample, c: number): Float64Array {
  const n = sample.series.length;
  return Float64Array.from({ length: sample.rows }, (_, r) => sample.innovations[r * n + c]!);
}
