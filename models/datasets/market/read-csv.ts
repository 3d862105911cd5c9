/**
 * A small, strict CSV reader for the market files: comma-separated, no quoting (none of the
 * source layouts quotes), LF or CRLF. Errors name the file, line and column.
 */
import { readFileSync, statSync } from "node:fs";
import { DataFileError, DataValueError } from "../../errors.ts";

export type CsvTable = {
  file: string;
  header: string[];
  /** Data rows (header excluded), each split into cells. */
  rows: string[][];
  /** 1-based line number of each data row in the file. */
  lines: number[];
};

export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error("not a regular file");
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new DataFileError({
      file,
      problem: "cannot be read",
      hint: "Check the path (relative paths are read from the manifest's folder, or from --data).",
      cause,
    });
  }
  const all = text.split(/\r?\n/);
  const header = (all[0] ?? "").split(",").map((h) => h.trim());
  if (header.length < 2 || header.every((h) => h === ""))
    throw new DataFileError({ file, problem: "has no CSV header line" });
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let k = 1; k < all.length; k++) {
    const line = all[k]!;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (cells.length !== header.length)
      throw new DataFileError({
        file,
        problem: `line ${k + 1} has ${cells.length} cells, the header has ${header.length}`,
      });
    rows.push(cells);
    lines.push(k + 1);
  }
  if (rows.length === 0) throw new DataFileError({ file, problem: "has a header but no data rows" });
  return { file, header, rows, lines };
}

export function columnIndex(t: CsvTable, name: string): number {
  const j = t.header.indexOf(name);
  if (j < 0)
    throw new DataFileError({
      file: t.file,
      problem: `has no column "${name}" (has ${t.header.join(", ")})`,
    });
  return j;
}

/** A finite number; `allowEmpty` maps an empty cell to NaN (a value the source did not have). */
export function numberCell(t: CsvTable, r: number, j: number, opts: { allowEmpty?: boolean } = {}): number {
  const raw = t.rows[r]![j]!.trim();
  if (raw === "" && opts.allowEmpty) return Number.NaN;
  const v = Number(raw);
  if (raw === "" || !Number.isFinite(v))
    throw new DataValueError({
      file: t.file,
      row: t.lines[r]!,
      column: t.header[j]!,
      value: raw,
      expected: "a finite number",
    });
  return v;
}

/**
 * A UTC time in ms from the layouts' formats: "2021-01-01 00:00:00", "...+00:00", ISO "...Z",
 * "2020-01-01 03:00:00.000"; a bare date-time is UTC (or, for the funding fetcher's `Date`,
 * shifted later by its caller).
 */
export function timeCell(t: CsvTable, r: number, j: number): number {
  const raw = t.rows[r]![j]!.trim();
  let iso = raw.replace(" ", "T");
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += "Z";
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new DataValueError({
      file: t.file,
      row: t.lines[r]!,
      column: t.header[j]!,
      value: raw,
      expected: "a UTC date-time",
    });
  return ms;
}

/** A unix time cell in ms (accepts seconds or milliseconds, as the sources mix them). */
export function unixMsCell(t: CsvTable, r: number, j: number): number {
  const v = numberCell(t, r, j);
  return v < 1e11 ? v * 1000 : v;
}
