/** Shape and sign checks shared by the contagion models; each failure names the offending entry. */
import { InvalidNetworkError } from "./errors.ts";

export function checkVector(field: string, v: Float64Array, n: number, { positive = false } = {}): void {
  if (v.length !== n) {
    throw new InvalidNetworkError({
      field,
      problem: `has length ${v.length}, expected ${n} (one entry per node)`,
    });
  }
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x) || x < 0 || (positive && x === 0)) {
      throw new InvalidNetworkError({
        field: `${field}[${i}]`,
        problem: `is ${x}, expected a finite ${positive ? "positive" : "non-negative"} number`,
      });
    }
  }
}

/** A non-negative n×n matrix, row-major, with a zero diagonal (nobody owes or lends to itself). */
export function checkMatrix(field: string, m: Float64Array, n: number): void {
  if (m.length !== n * n) {
    throw new InvalidNetworkError({
      field,
      problem: `has ${m.length} entries, expected n×n = ${n * n} (row-major, n = ${n} nodes)`,
    });
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = m[i * n + j]!;
      if (!Number.isFinite(x) || x < 0) {
        throw new InvalidNetworkError({
          field: `${field}[${i}][${j}]`,
          problem: `is ${x}, expected a finite non-negative number`,
        });
      }
      if (i === j && x !== 0) {
        throw new InvalidNetworkError({
          field: `${field}[${i}][${i}]`,
          problem: `is ${x}: a node cannot owe itself`,
          hint: "Put 0 on the diagonal.",
        });
      }
    }
  }
}
