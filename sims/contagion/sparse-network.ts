/**
 * Networks as compressed sparse rows (CSR): the entries of row i are at positions
 * rowStart[i] .. rowStart[i + 1] - 1 of `column` and `value`, columns strictly increasing. A
 * thousand protocols with a few claims each is a few thousand entries, not a million-cell matrix;
 * the sparse clearing and DebtRank iterate over these arrays.
 */
import { InvalidNetworkError } from "./errors.ts";

/** Float entries (USD, or base units as floats). */
export type SparseMatrix = { n: number; rowStart: Int32Array; column: Int32Array; value: Float64Array };

/** Exact entries (token or USD-8 base units). */
export type SparseMatrixBaseUnits = { n: number; rowStart: Int32Array; column: Int32Array; value: bigint[] };

export type SparseEntry<T> = { row: number; column: number; value: T };

function layout(n: number, rows: Int32Array, columns: Int32Array): { order: number[]; rowStart: Int32Array } {
  const order = Array.from(rows.keys()).sort((a, b) => rows[a]! - rows[b]! || columns[a]! - columns[b]!);
  const rowStart = new Int32Array(n + 1);
  for (let k = 0; k < rows.length; k++) rowStart[rows[k]! + 1]!++;
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i + 1]! + rowStart[i]!;
  return { order, rowStart };
}

function checkEntry(field: string, n: number, row: number, column: number): void {
  if (!Number.isInteger(row) || row < 0 || row >= n || !Number.isInteger(column) || column < 0 || column >= n)
    throw new InvalidNetworkError({ field, problem: `entry (${row}, ${column}) is outside ${n} x ${n}` });
  if (row === column)
    throw new InvalidNetworkError({
      field: `${field}[${row}][${row}]`,
      problem: "a node cannot owe itself",
      hint: "Leave the diagonal out.",
    });
}

/** Builds a float CSR matrix from entries in any order; duplicates are summed, zeros dropped. */
export function sparseFromEntries(
  field: string,
  n: number,
  entries: readonly SparseEntry<number>[],
): SparseMatrix {
  const kept = entries.filter((e) => e.value !== 0);
  for (const e of kept) {
    checkEntry(field, n, e.row, e.column);
    if (!Number.isFinite(e.value) || e.value < 0)
      throw new InvalidNetworkError({
        field: `${field}[${e.row}][${e.column}]`,
        problem: `is ${e.value}, expected a finite non-negative number`,
      });
  }
  const rows = Int32Array.from(kept, (e) => e.row);
  const columns = Int32Array.from(kept, (e) => e.column);
  const { order } = layout(n, rows, columns);
  const column: number[] = [];
  const value: number[] = [];
  const rowOf: number[] = [];
  for (const k of order) {
    const last = column.length - 1;
    if (last >= 0 && rowOf[last] === rows[k] && column[last] === columns[k])
      value[last] = value[last]! + kept[k]!.value;
    else {
      rowOf.push(rows[k]!);
      column.push(columns[k]!);
      value.push(kept[k]!.value);
    }
  }
  const rowStart = new Int32Array(n + 1);
  for (const r of rowOf) rowStart[r + 1]!++;
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i + 1]! + rowStart[i]!;
  return { n, rowStart, column: Int32Array.from(column), value: Float64Array.from(value) };
}

/** Builds an exact CSR matrix from entries in any order; duplicates are summed, zeros dropped. */
export function sparseBaseUnitsFromEntries(
  field: string,
  n: number,
  entries: readonly SparseEntry<bigint>[],
): SparseMatrixBaseUnits {
  const kept = entries.filter((e) => e.value !== 0n);
  for (const e of kept) {
    checkEntry(field, n, e.row, e.column);
    if (e.value < 0n)
      throw new InvalidNetworkError({
        field: `${field}[${e.row}][${e.column}]`,
        problem: `is ${e.value}, expected >= 0`,
      });
  }
  const rows = Int32Array.from(kept, (e) => e.row);
  const columns = Int32Array.from(kept, (e) => e.column);
  const { order } = layout(n, rows, columns);
  const column: number[] = [];
  const value: bigint[] = [];
  const rowOf: number[] = [];
  for (const k of order) {
    const last = column.length - 1;
    if (last >= 0 && rowOf[last] === rows[k] && column[last] === columns[k])
      value[last] = value[last]! + kept[k]!.value;
    else {
      rowOf.push(rows[k]!);
      column.push(columns[k]!);
      value.push(kept[k]!.value);
    }
  }
  const rowStart = new Int32Array(n + 1);
  for (const r of rowOf) rowStart[r + 1]!++;
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i + 1]! + rowStart[i]!;
  return { n, rowStart, column: Int32Array.from(column), value };
}

/** The CSR form of a dense row-major n x n float matrix. */
export function sparseFromDense(field: string, dense: Float64Array, n: number): SparseMatrix {
  const entries: SparseEntry<number>[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x = dense[i * n + j]!;
      if (x !== 0) entries.push({ row: i, column: j, value: x });
    }
  return sparseFromEntries(field, n, entries);
}

/** The CSR form of a dense bigint matrix (rows of columns). */
export function sparseBaseUnitsFromDense(
  field: string,
  dense: readonly (readonly bigint[])[],
): SparseMatrixBaseUnits {
  const entries: SparseEntry<bigint>[] = [];
  dense.forEach((row, i) => {
    row.forEach((x, j) => {
      if (x !== 0n) entries.push({ row: i, column: j, value: x });
    });
  });
  return sparseBaseUnitsFromEntries(field, dense.length, entries);
}

/** The transpose (CSR of the columns): for each node, who points at it. */
export function transpose<T extends Float64Array | bigint[]>(m: {
  n: number;
  rowStart: Int32Array;
  column: Int32Array;
  value: T;
}): { n: number; rowStart: Int32Array; column: Int32Array; value: T } {
  const { n, rowStart, column, value } = m;
  const count = column.length;
  const start = new Int32Array(n + 1);
  for (let k = 0; k < count; k++) start[column[k]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1] = start[i + 1]! + start[i]!;
  const fill = start.slice(0, n);
  const outColumn = new Int32Array(count);
  const outValue = (value instanceof Float64Array ? new Float64Array(count) : new Array<bigint>(count)) as T;
  for (let i = 0; i < n; i++) {
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
      const at = fill[column[k]!]!++;
      outColumn[at] = i;
      outValue[at] = value[k]!;
    }
  }
  return { n, rowStart: start, column: outColumn, value: outValue };
}

/** Row sums. */
export function rowSums(m: SparseMatrix): Float64Array {
  const sums = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) {
    let s = 0;
    for (let k = m.rowStart[i]!; k < m.rowStart[i + 1]!; k++) s += m.value[k]!;
    sums[i] = s;
  }
  return sums;
}

/** Checks a hand-made CSR matrix: sizes, ranges, sorted columns, no diagonal, signs. */
export function checkSparse(field: string, m: SparseMatrix | SparseMatrixBaseUnits, n: number): void {
  if (m.n !== n || m.rowStart.length !== n + 1)
    throw new InvalidNetworkError({
      field,
      problem: `is ${m.n} x ${m.n} with ${m.rowStart.length} row starts, expected ${n} nodes`,
    });
  if (m.rowStart[0] !== 0 || m.rowStart[n] !== m.column.length || m.value.length !== m.column.length)
    throw new InvalidNetworkError({ field, problem: "row starts do not cover the entries" });
  for (let i = 0; i < n; i++) {
    if (m.rowStart[i + 1]! < m.rowStart[i]!)
      throw new InvalidNetworkError({ field, problem: `row starts decrease at row ${i}` });
    for (let k = m.rowStart[i]!; k < m.rowStart[i + 1]!; k++) {
      const j = m.column[k]!;
      checkEntry(field, n, i, j);
      if (k > m.rowStart[i]! && j <= m.column[k - 1]!)
        throw new InvalidNetworkError({
          field: `${field}[${i}]`,
          problem: "columns are not strictly increasing",
        });
      const x = m.value[k]!;
      if (typeof x === "bigint" ? x < 0n : !Number.isFinite(x) || x < 0)
        throw new InvalidNetworkError({
          field: `${field}[${i}][${j}]`,
          problem: `is ${x}, expected a finite non-negative number`,
        });
    }
  }
}
