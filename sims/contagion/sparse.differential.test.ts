/**
 * The sparse clearing and DebtRank against the dense ones they replace in the engine: the same
 * networks, in both forms, give the same answers. The dense functions keep their own property
 * tests (eisenberg-noe.test.ts, clearing-vector-base-units.test.ts, debtrank.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clearingVectorBaseUnits } from "./clearing-vector-base-units.ts";
import { clearingVectorBaseUnitsSparse } from "./clearing-vector-base-units-sparse.ts";
import { clearingVectorSparse } from "./clearing-vector-sparse.ts";
import { debtRank } from "./debtrank.ts";
import { debtRankSparse } from "./debtrank-sparse.ts";
import { clearingVector } from "./eisenberg-noe.ts";
import { InvalidNetworkError } from "./errors.ts";
import {
  fillPattern,
  sparseBaseUnitsFromDense,
  sparseFromDense,
  sparseFromEntries,
  sparsePattern,
} from "./sparse-network.ts";

type Network = { n: number; L: Float64Array; e: Float64Array };

/** Sparse random networks: each edge present with ~40% probability, whole amounts up to 1000. */
const network = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    L: fc
      .array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 1000 })), {
        minLength: n * n,
        maxLength: n * n,
      })
      .map((xs) => {
        const L = Float64Array.from(xs);
        for (let i = 0; i < n; i++) L[i * n + i] = 0;
        return L;
      }),
    e: fc
      .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })), { minLength: n, maxLength: n })
      .map((xs) => Float64Array.from(xs)),
  }),
);

const scaleOf = ({ L, e }: Network) => Math.max(1, ...L, ...e);

describe("sparse Eisenberg-Noe equals the dense one", () => {
  it("gives the same payments and defaults (dense solve of the default set)", () => {
    fc.assert(
      fc.property(network, (net) => {
        const dense = clearingVector({ liabilities: net.L, externalAssets: net.e });
        const sparse = clearingVectorSparse({
          liabilities: sparseFromDense("L", net.L, net.n),
          externalAssets: net.e,
        });
        // Same default sets, the same linear systems in the same order: the same floats.
        expect([...sparse.payments]).toEqual([...dense.payments]);
        expect(sparse.defaulted).toEqual(dense.defaulted);
        expect([...sparse.inflows]).toEqual([...dense.inflows]);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same payments when large default sets are solved by Gauss-Seidel sweeps", () => {
    fc.assert(
      fc.property(network, (net) => {
        const dense = clearingVector({ liabilities: net.L, externalAssets: net.e });
        const sparse = clearingVectorSparse({
          liabilities: sparseFromDense("L", net.L, net.n),
          externalAssets: net.e,
          denseLimit: 0,
        });
        const tolerance = 1e-9 * scaleOf(net);
        expect(sparse.defaulted).toEqual(dense.defaulted);
        for (let i = 0; i < net.n; i++)
          expect(Math.abs(sparse.payments[i]! - dense.payments[i]!)).toBeLessThanOrEqual(tolerance);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same exact base-unit clearing", () => {
    const big = (x: number) => BigInt(x) * 10n ** 18n + BigInt(x * 7);
    fc.assert(
      fc.property(network, (net) => {
        const L = Array.from({ length: net.n }, (_, i) =>
          Array.from({ length: net.n }, (_, j) =>
            net.L[i * net.n + j]! === 0 ? 0n : big(net.L[i * net.n + j]!),
          ),
        );
        // Every node holds something outside the network: the integer repair is then guaranteed to
        // settle (clearing-vector-base-units.ts); without it both give up on nearly closed cycles.
        const e = Array.from(net.e, (x) => big(x + 1));
        const dense = clearingVectorBaseUnits({ liabilities: L, externalAssets: e });
        const sparse = clearingVectorBaseUnitsSparse({
          liabilities: sparseBaseUnitsFromDense("L", L),
          externalAssets: e,
        });
        expect(sparse.payments).toEqual(dense.payments);
        expect(sparse.inflows).toEqual(dense.inflows);
        expect(sparse.equity).toEqual(dense.equity);
        expect(sparse.defaulted).toEqual(dense.defaulted);
        expect(sparse.marginUnits).toBe(dense.marginUnits);
      }),
      { numRuns: 300 },
    );
  });

  it("gives up on the same nearly closed cycle without outside assets", () => {
    // A cycle of dust-sized flows and no outside assets: the dense version's documented limit.
    const big = (x: number) => BigInt(x) * 10n ** 18n + BigInt(x * 7);
    const L = [
      [0n, big(1), big(696)],
      [0n, 0n, big(2)],
      [big(1), 0n, 0n],
    ];
    const e = [0n, 0n, 0n];
    expect(() => clearingVectorBaseUnits({ liabilities: L, externalAssets: e })).toThrow(/did not converge/);
    expect(() =>
      clearingVectorBaseUnitsSparse({ liabilities: sparseBaseUnitsFromDense("L", L), externalAssets: e }),
    ).toThrow(/did not converge/);
  });

  it("clears a thousand-node network with a few claims each, as the dense one does", () => {
    // A deterministic sparse network: each node owes three others; a tenth of them are short.
    const n = 1000;
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state;
    };
    const entries: { row: number; column: number; value: number }[] = [];
    for (let i = 0; i < n; i++)
      for (let k = 0; k < 3; k++) {
        let j = next() % n;
        if (j === i) j = (j + 1) % n;
        entries.push({ row: i, column: j, value: 1 + (next() % 1000) });
      }
    const e = Float64Array.from({ length: n }, (_, i) =>
      i % 10 === 0 ? next() % 500 : 3000 + (next() % 1000),
    );
    const sparse = clearingVectorSparse({
      liabilities: sparseFromEntries("L", n, entries),
      externalAssets: e,
    });
    const L = new Float64Array(n * n);
    for (const x of entries) L[x.row * n + x.column] = L[x.row * n + x.column]! + x.value;
    const dense = clearingVector({ liabilities: L, externalAssets: e });
    expect(sparse.defaulted).toEqual(dense.defaulted);
    expect(sparse.defaulted.length).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) expect(Math.abs(sparse.payments[i]! - dense.payments[i]!)).toBeLessThan(1e-6);
  });
});

describe("sparse DebtRank equals the dense one", () => {
  const exposures = fc.integer({ min: 1, max: 8 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      A: fc
        .array(fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true })), {
          minLength: n * n,
          maxLength: n * n,
        })
        .map((xs) => {
          const A = Float64Array.from(xs);
          for (let i = 0; i < n; i++) A[i * n + i] = 0;
          return A;
        }),
      E: fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
      shock: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    }),
  );
  for (const variant of ["original", "differential"] as const) {
    it(`gives the same distress, DebtRank and rounds (${variant})`, () => {
      fc.assert(
        fc.property(exposures, ({ n, A, E, shock }) => {
          const p = { equity: Float64Array.from(E), initialShock: Float64Array.from(shock), variant };
          const dense = debtRank({ exposures: A, ...p });
          const sparse = debtRankSparse({ exposures: sparseFromDense("A", A, n), ...p });
          expect([...sparse.distress]).toEqual([...dense.distress]);
          expect(sparse.debtRank).toBe(dense.debtRank);
          expect(sparse.rounds).toBe(dense.rounds);
          expect([...sparse.states]).toEqual([...dense.states]);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe("sparse networks", () => {
  it("sorts entries by row and column and merges duplicates", () => {
    const m = sparseFromEntries("L", 3, [
      { row: 2, column: 0, value: 1 },
      { row: 0, column: 2, value: 2 },
      { row: 0, column: 1, value: 3 },
      { row: 0, column: 2, value: 4 },
      { row: 1, column: 0, value: 0 },
    ]);
    expect([...m.rowStart]).toEqual([0, 2, 2, 3]);
    expect([...m.column]).toEqual([1, 2, 0]);
    expect([...m.value]).toEqual([3, 6, 1]);
  });

  it("fills a fixed pattern with new values", () => {
    const pattern = sparsePattern("L", 3, Int32Array.of(1, 0, 1), Int32Array.of(2, 1, 2));
    expect([...fillPattern(pattern, Float64Array.of(1, 2, 3)).value]).toEqual([2, 4]);
    expect([...fillPattern(pattern, Float64Array.of(5, 0, 1)).value]).toEqual([0, 6]);
  });

  it("names a self-loop or a negative entry", () => {
    expect(() => sparseFromEntries("L", 2, [{ row: 1, column: 1, value: 1 }])).toThrow(
      /L\[1\]\[1\]: a node cannot owe itself/,
    );
    expect(() => sparseFromEntries("L", 2, [{ row: 0, column: 1, value: -1 }])).toThrow(InvalidNetworkError);
    expect(() => sparseFromEntries("L", 2, [{ row: 0, column: 5, value: 1 }])).toThrow(/outside 2 x 2/);
  });
});
