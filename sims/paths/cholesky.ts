/**
 * Cholesky factor of a symmetric positive semi-definite matrix: lower-triangular L with
 * A = L L^T. Semi-definite matrices (e.g. two assets correlated at exactly 1) are accepted: a
 * pivot within `tolerance` of zero gives a zero column, which changes an entry A[i][j] by at
 * most sqrt(tolerance * A[i][i]) (Cauchy-Schwarz on what is left of the matrix). A pivot below
 * -tolerance means no such L exists, and we throw NotPositiveSemidefiniteError naming the pivot.
 */
import { InvalidPathParameterError, NotPositiveSemidefiniteError } from "./errors.ts";

export type CholeskyParameters = {
  /** n×n row-major symmetric matrix. */
  matrix: Float64Array;
  n: number;
  /** Absolute slack for symmetry and for zero pivots. Default 1e-10. */
  tolerance?: number | undefined;
};

/** Returns L, n×n row-major, zero above the diagonal. */
export function cholesky({ matrix: A, n, tolerance = 1e-10 }: CholeskyParameters): Float64Array {
  if (A.length !== n * n) {
    throw new InvalidPathParameterError({
      field: "matrix",
      problem: `has ${A.length} entries, expected n×n = ${n * n}`,
    });
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = A[i * n + j]!;
      if (!Number.isFinite(x))
        throw new InvalidPathParameterError({
          field: `matrix[${i}][${j}]`,
          problem: `is ${x}, expected a finite number`,
        });
      if (j > i && Math.abs(x - A[j * n + i]!) > tolerance) {
        throw new InvalidPathParameterError({
          field: `matrix[${i}][${j}]`,
          problem: `is ${x} but matrix[${j}][${i}] is ${A[j * n + i]}: not symmetric`,
        });
      }
    }
  }
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let pivot = A[j * n + j]!;
    for (let k = 0; k < j; k++) pivot -= L[j * n + k]! ** 2;
    if (pivot < -tolerance) throw new NotPositiveSemidefiniteError({ pivot: j, value: pivot });
    const d = pivot > tolerance ? Math.sqrt(pivot) : 0;
    L[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let x = A[i * n + j]!;
      for (let k = 0; k < j; k++) x -= L[i * n + k]! * L[j * n + k]!;
      if (d === 0) {
        // A zero pivot needs a zero column below it; anything else means A is not PSD.
        if (Math.abs(x) > Math.sqrt(tolerance * Math.max(1, A[i * n + i]!)))
          throw new NotPositiveSemidefiniteError({ pivot: j, value: pivot });
        continue;
      }
      L[i * n + j] = x / d;
    }
  }
  return L;
}
