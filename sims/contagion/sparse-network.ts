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

/** Matrices built by the functions below: already checked, so solvers skip checkSparse. */
const built = new WeakSet<object>();

/**
 * CSR layout of entries (row, column) in any order: counting sort by row, then by column within a
 * row (rows are short: insertion sort), duplicates merged. Returns, for each entry, the slot it
 * lands in, and the row starts and columns of the merged matrix.
 */
function layout(
  n: number,
  rows: Int32Array,
  columns: Int32Array,
): { slotOf: Int32Array; rowStart: Int32Array; column: Int32Array } {
  const count = rows.length;
  const start = new Int32Array(n + 1);
  for (let k = 0; k < count; k++) start[rows[k]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1] = start[i + 1]! + start[i]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(count);
  for (let k = 0; k < count; k++) order[fill[rows[k]!]!++] = k;
  for (let i = 0; i < n; i++) {
    for (let a = start[i]! + 1; a < start[i + 1]!; a++) {
      const k = order[a]!;
      let b = a - 1;
      while (b >= start[i]! && columns[order[b]!]! > columns[k]!) {
        order[b + 1] = order[b]!;
        b--;
      }
      order[b + 1] = k;
    }
  }
  // Merge duplicates: each entry's slot in the merged matrix.
  const slotOf = new Int32Array(count);
  const rowStart = new Int32Array(n + 1);
  const column: number[] = [];
  for (let i = 0; i < n; i++) {
    rowStart[i] = column.length;
    for (let a = start[i]!; a < start[i + 1]!; a++) {
      const k = order[a]!;
      const c = columns[k]!;
      if (column.length > rowStart[i]! && column[column.length - 1] === c) slotOf[k] = column.length - 1;
      else {
        slotOf[k] = column.length;
        column.push(c);
      }
    }
  }
  rowStart[n] = column.length;
  return { slotOf, rowStart, column: Int32Array.from(column) };
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

/**
 * A fixed CSR pattern for entries given as (row, column) pairs, to be filled with new values many
 * times (a network whose claims keep their shape while their amounts move). Duplicates share a
 * slot; zero values are kept as explicit zeros, which the solvers treat as absent.
 */
export type SparsePattern = { n: number; rowStart: Int32Array; column: Int32Array; slotOf: Int32Array };

export function sparsePattern(
  field: string,
  n: number,
  rows: Int32Array,
  columns: Int32Array,
): SparsePattern {
  for (let k = 0; k < rows.length; k++) checkEntry(field, n, rows[k]!, columns[k]!);
  const { slotOf, rowStart, column } = layout(n, rows, columns);
  return { n, rowStart, column, slotOf };
}

/** The matrix of `pattern` with entry k's value `values[k]` (non-negative, finite; summed per slot). */
export function fillPattern(pattern: SparsePattern, values: Float64Array): SparseMatrix {
  const value = new Float64Array(pattern.column.length);
  for (let k = 0; k < values.length; k++) value[pattern.slotOf[k]!] = value[pattern.slotOf[k]!]! + values[k]!;
  const m = { n: pattern.n, rowStart: pattern.rowStart, column: pattern.column, value };
  built.add(m);
  return m;
}

/** The exact matrix of `pattern` with entry k's value `values[k]` (>= 0; summed per slot). */
export function fillPatternBaseUnits(
  pattern: SparsePattern,
  values: readonly bigint[],
): SparseMatrixBaseUnits {
  const value = new Array<bigint>(pattern.column.length).fill(0n);
  for (let k = 0; k < values.length; k++) value[pattern.slotOf[k]!] = value[pattern.slotOf[k]!]! + values[k]!;
  const m = { n: pattern.n, rowStart: pattern.rowStart, column: pattern.column, value };
  built.add(m);
  return m;
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
  const { slotOf, rowStart, column } = layout(
    n,
    Int32Array.from(kept, (e) => e.row),
    Int32Array.from(kept, (e) => e.column),
  );
  const value = new Float64Array(column.length);
  kept.forEach((e, k) => {
    value[slotOf[k]!] = value[slotOf[k]!]! + e.value;
  });
  const m = { n, rowStart, column, value };
  built.add(m);
  return m;
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
  const { slotOf, rowStart, column } = layout(
    n,
    Int32Array.from(kept, (e) => e.row),
    Int32Array.from(kept, (e) => e.column),
  );
  const value = new Array<bigint>(column.length).fill(0n);
  kept.forEach((e, k) => {
    value[slotOf[k]!] = value[slotOf[k]!]! + e.value;
  });
  const m = { n, rowStart, column, value };
  built.add(m);
  return m;
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
  if (built.has(m) && m.n === n) return;
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
