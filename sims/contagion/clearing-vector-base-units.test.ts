import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clearingVectorBaseUnits } from "./clearing-vector-base-units.ts";
import { clearingVector } from "./eisenberg-noe.ts";

const E18 = 10n ** 18n;

describe("clearingVectorBaseUnits", () => {
  it("clears the cascading chain exactly in 18-decimal base units", () => {
    // A owes B 10 tokens, B owes C 10; A has 4, B has 2 (see the float chain example).
    const r = clearingVectorBaseUnits({
      liabilities: [
        [0n, 10n * E18, 0n],
        [0n, 0n, 10n * E18],
        [0n, 0n, 0n],
      ],
      externalAssets: [4n * E18, 2n * E18, 0n],
    });
    expect(r.payments).toEqual([4n * E18, 6n * E18, 0n]);
    expect(r.shortfall).toEqual([6n * E18, 4n * E18, 0n]);
    expect(r.defaulted).toEqual([0, 1]);
    expect(r.equity).toEqual([0n, 0n, 6n * E18]);
  });

  it("pays solvent obligations exactly even beyond float precision", () => {
    // 1e27 + 1 is not representable as a double; a solvent node must still pay it to the unit.
    const owed = 10n ** 27n + 1n;
    const r = clearingVectorBaseUnits({
      liabilities: [
        [0n, owed],
        [0n, 0n],
      ],
      externalAssets: [owed, 0n],
    });
    expect(r.payments).toEqual([owed, 0n]);
    expect(r.defaulted).toEqual([]);
    expect(r.equity).toEqual([0n, owed]);
  });

  it("keeps pro-rata dust with the defaulter", () => {
    // A owes B and C 1 unit each but has 1 unit: each creditor is owed 0.5 and gets floor = 0.
    const r = clearingVectorBaseUnits({
      liabilities: [
        [0n, 1n, 1n],
        [0n, 0n, 0n],
        [0n, 0n, 0n],
      ],
      externalAssets: [1n, 0n, 0n],
    });
    expect(r.payments[0]).toBe(1n);
    expect(r.inflows).toEqual([0n, 0n, 0n]);
    expect(r.defaulted).toEqual([0]);
  });

  it("rejects malformed networks by field", () => {
    expect(() => clearingVectorBaseUnits({ liabilities: [[0n, 1n]], externalAssets: [1n, 1n] })).toThrow(
      /liabilities: has 1 rows, expected 2/,
    );
    expect(() =>
      clearingVectorBaseUnits({
        liabilities: [
          [0n, -1n],
          [0n, 0n],
        ],
        externalAssets: [1n, 1n],
      }),
    ).toThrow(/liabilities\[0\]\[1\]: is -1/);
  });

  /** Networks in which every node holds at least `minAssets` outside the network. */
  const network = ({ max, minAssets }: { max: bigint; minAssets: bigint }) =>
    fc.integer({ min: 1, max: 6 }).chain((n) => {
      const amount = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max }));
      return fc
        .record({
          L: fc.array(fc.array(amount, { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
          e: fc.array(fc.bigInt({ min: minAssets, max }), { minLength: n, maxLength: n }),
        })
        .map(({ L, e }) => ({ L: L.map((row, i) => row.map((x, j) => (i === j ? 0n : x))), e }));
    });

  it("never lets a node pay more than it owes or holds, at any magnitude", () => {
    fc.assert(
      fc.property(network({ max: 10n ** 30n, minAssets: 10n ** 22n }), ({ L, e }) => {
        const r = clearingVectorBaseUnits({ liabilities: L, externalAssets: e });
        for (let i = 0; i < e.length; i++) {
          const paid = r.payments[i]!;
          expect(paid >= 0n && paid <= r.obligations[i]!).toBe(true);
          expect(paid <= e[i]! + r.inflows[i]!).toBe(true);
          expect(r.equity[i]!).toBe(e[i]! + r.inflows[i]! - paid);
          expect(r.equity[i]! >= 0n).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("stays between the float model and the float model with the margin removed", () => {
    // Amounts up to 1e15 units keep the float model itself accurate enough to be the reference.
    fc.assert(
      fc.property(network({ max: 10n ** 15n, minAssets: 10n ** 7n }), ({ L, e }) => {
        const n = e.length;
        const r = clearingVectorBaseUnits({ liabilities: L, externalAssets: e });
        // tolerance 0 can only default more nodes, so it is safe for the lower bound; the default
        // tolerance can only default fewer, so it is safe for the upper one.
        const floatOf = (assets: readonly bigint[], tolerance?: number) =>
          clearingVector({
            liabilities: Float64Array.from(L.flat().map(Number)),
            externalAssets: Float64Array.from(assets.map(Number)),
            tolerance,
          }).payments;
        const upper = floatOf(e);
        const largest = Math.max(0, ...L.flat().map(Number), ...e.map(Number));
        const margin =
          r.marginUnits > 0n ? r.marginUnits : 2n * BigInt(n) + 2n + BigInt(Math.ceil(1e-9 * largest));
        const lower = floatOf(
          e.map((x) => (x > margin ? x - margin : 0n)),
          0,
        );
        for (let i = 0; i < n; i++) {
          const paid = Number(r.payments[i]!);
          const slack = 1e-9 * Number(r.obligations[i]!);
          expect(paid).toBeLessThanOrEqual(upper[i]! + slack);
          expect(paid).toBeGreaterThanOrEqual(Math.floor(lower[i]!) - slack);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("lets dust unwind a unit-scale cycle with no outside assets (documented semantics)", () => {
    // Real-valued answer: p = (1/7, 1, 1). In whole units node 0 pays floor(1/7) = 0, so node 1
    // receives floor(6/7) = 0 from node 2 and nothing from node 0, and the circulation stops.
    const r = clearingVectorBaseUnits({
      liabilities: [
        [0n, 1n, 0n],
        [0n, 0n, 1n],
        [1n, 6n, 0n],
      ],
      externalAssets: [0n, 0n, 0n],
    });
    expect(r.payments).toEqual([0n, 0n, 0n]);
  });

  it("settles a nearly closed cycle where dust compounds", () => {
    // A owes B 24 and C 119977; C owes A ~1e12 and holds 23: a cycle leaking 24/120001 per lap.
    const r = clearingVectorBaseUnits({
      liabilities: [
        [0n, 24n, 119977n],
        [0n, 0n, 0n],
        [999999999993n, 0n, 0n],
      ],
      externalAssets: [0n, 0n, 23n],
    });
    // Real-valued answer: p_A = p_C = 23 * 120001 / 24 = 115000.96.
    expect(r.payments[0]! <= 115000n && r.payments[0]! >= 114000n).toBe(true);
    expect(r.defaulted).toEqual([0, 2]);
  });
});
