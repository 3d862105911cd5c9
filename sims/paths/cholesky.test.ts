import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cholesky } from "./cholesky.ts";
import { NotPositiveSemidefiniteError } from "./errors.ts";

const m = (rows: number[][]) => Float64Array.from(rows.flat());

describe("cholesky", () => {
  it("factors a small matrix by hand", () => {
    // [[4, 2], [2, 3]] = L L^T with L = [[2, 0], [1, sqrt 2]].
    const L = cholesky({
      matrix: m([
        [4, 2],
        [2, 3],
      ]),
      n: 2,
    });
    expect(L[0]).toBe(2);
    expect(L[1]).toBe(0);
    expect(L[2]).toBe(1);
    expect(L[3]).toBeCloseTo(Math.SQRT2, 15);
  });

  it("accepts perfectly correlated assets (semi-definite)", () => {
    const L = cholesky({
      matrix: m([
        [1, 1],
        [1, 1],
      ]),
      n: 2,
    });
    expect([...L]).toEqual([1, 0, 1, 0]);
  });

  it("throws a clear error for a matrix that is not positive semi-definite", () => {
    // Pairwise plausible, jointly impossible: A~B 0.9, A~C 0.9, B~C -0.9.
    const impossible = m([
      [1, 0.9, 0.9],
      [0.9, 1, -0.9],
      [0.9, -0.9, 1],
    ]);
    expect(() => cholesky({ matrix: impossible, n: 3 })).toThrow(NotPositiveSemidefiniteError);
    expect(() => cholesky({ matrix: impossible, n: 3 })).toThrow(
      /not positive semi-definite: Cholesky pivot 2 is -\d/,
    );
    expect(() =>
      cholesky({
        matrix: m([
          [1, 2],
          [2, 1],
        ]),
        n: 2,
      }),
    ).toThrow(/pivot 1 is -3/);
  });

  it("rejects asymmetric and mis-sized input", () => {
    expect(() =>
      cholesky({
        matrix: m([
          [1, 0.5],
          [0.4, 1],
        ]),
        n: 2,
      }),
    ).toThrow(/matrix\[0\]\[1\]: is 0.5 but matrix\[1\]\[0\] is 0.4: not symmetric/);
    expect(() => cholesky({ matrix: new Float64Array(3), n: 2 })).toThrow(/has 3 entries/);
  });

  it("reconstructs B B^T for random B", () => {
    const arb = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        B: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * n, maxLength: n * n }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ n, B }) => {
        const A = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            for (let k = 0; k < n; k++) A[i * n + j] = A[i * n + j]! + B[i * n + k]! * B[j * n + k]!;
        let L: Float64Array;
        try {
          L = cholesky({ matrix: A, n, tolerance: 1e-9 });
        } catch (err) {
          // Nearly singular B B^T can produce a tiny negative pivot through rounding.
          expect(err).toBeInstanceOf(NotPositiveSemidefiniteError);
          return;
        }
        // Zeroing a pivot under the tolerance may move an entry by up to sqrt(tolerance * A_ii).
        const largestDiagonal = Math.max(1, ...Array.from({ length: n }, (_, i) => A[i * n + i]!));
        const allowed = Math.sqrt(1e-9 * largestDiagonal) + 1e-9 * largestDiagonal;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let x = 0;
            for (let k = 0; k < n; k++) x += L[i * n + k]! * L[j * n + k]!;
            expect(Math.abs(x - A[i * n + j]!)).toBeLessThanOrEqual(allowed);
            if (j > i) expect(L[i * n + j]).toBe(0);
          }
        }
      }),
    );
  });
});
