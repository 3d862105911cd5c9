import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clearingVector } from "./eisenberg-noe.ts";
import { InvalidNetworkError } from "./errors.ts";

/** Row-major Float64Array from nested rows (rows[i][j] = what i owes j). */
const matrix = (rows: number[][]) => Float64Array.from(rows.flat());
const vec = (xs: number[]) => Float64Array.from(xs);

describe("clearingVector: hand-worked examples", () => {
  it("pays everything when nobody is short", () => {
    // A owes B 10, B owes C 5; A holds 20 outside the network. C owes nobody (zero row).
    const r = clearingVector({
      liabilities: matrix([
        [0, 10, 0],
        [0, 0, 5],
        [0, 0, 0],
      ]),
      externalAssets: vec([20, 0, 0]),
    });
    expect([...r.payments]).toEqual([10, 5, 0]);
    expect(r.defaulted).toEqual([]);
    expect([...r.equity]).toEqual([10, 5, 5]);
    expect(r.iterations).toBe(1);
  });

  it("cascades down a chain: A's default pushes B into default", () => {
    // A owes B 10, B owes C 10. A has 4, B has 2. A pays 4; B then has 2 + 4 = 6 < 10.
    const r = clearingVector({
      liabilities: matrix([
        [0, 10, 0],
        [0, 0, 10],
        [0, 0, 0],
      ]),
      externalAssets: vec([4, 2, 0]),
    });
    expect([...r.payments]).toEqual([4, 6, 0]);
    expect([...r.shortfall]).toEqual([6, 4, 0]);
    expect(r.defaulted).toEqual([0, 1]);
    expect([...r.inflows]).toEqual([0, 4, 6]);
    // Round 1 finds A, round 2 finds B (only because of A), round 3 finds nobody new.
    expect(r.iterations).toBe(3);
  });

  it("clears a ring with one short node", () => {
    // A -> B 10, B -> C 20, C -> A 10; only B has outside assets (5).
    // B gets 10 from A, has 15 < 20 and defaults; C gets 15 and pays its 10; A gets 10 and pays.
    const r = clearingVector({
      liabilities: matrix([
        [0, 10, 0],
        [0, 0, 20],
        [10, 0, 0],
      ]),
      externalAssets: vec([0, 5, 0]),
    });
    expect([...r.payments]).toEqual([10, 15, 10]);
    expect(r.defaulted).toEqual([1]);
    expect([...r.equity]).toEqual([0, 0, 5]);
  });

  it("picks the greatest clearing vector in a ring with no outside assets", () => {
    // Both p = (10, 10, 10) and p = 0 clear this ring; EN's answer is the greatest.
    const L = matrix([
      [0, 10, 0],
      [0, 0, 10],
      [10, 0, 0],
    ]);
    for (const method of ["fictitious-default", "picard"] as const) {
      const r = clearingVector({ liabilities: L, externalAssets: vec([0, 0, 0]), method });
      expect([...r.payments]).toEqual([10, 10, 10]);
      expect(r.defaulted).toEqual([]);
    }
  });

  it("solves the joint default of two nodes that owe each other", () => {
    // A owes B 10 and C 10; B owes A 10. A has 6 outside. Pi_AB = Pi_AC = 1/2.
    // Both default: p_A = 6 + p_B and p_B = p_A / 2, so p_A = 12, p_B = 6; C receives 6.
    const r = clearingVector({
      liabilities: matrix([
        [0, 10, 10],
        [10, 0, 0],
        [0, 0, 0],
      ]),
      externalAssets: vec([6, 0, 0]),
    });
    expect(r.payments[0]).toBeCloseTo(12, 12);
    expect(r.payments[1]).toBeCloseTo(6, 12);
    expect(r.inflows[2]).toBeCloseTo(6, 12);
    expect(r.defaulted).toEqual([0, 1]);
    expect(r.iterations).toBe(3);
  });

  it("handles empty and all-zero networks", () => {
    expect(
      clearingVector({ liabilities: new Float64Array(0), externalAssets: new Float64Array(0) }).payments
        .length,
    ).toBe(0);
    const r = clearingVector({ liabilities: new Float64Array(4), externalAssets: vec([0, 3]) });
    expect([...r.payments]).toEqual([0, 0]);
    expect(r.defaulted).toEqual([]);
  });
});

describe("clearingVector: bad input", () => {
  it("names the offending entry", () => {
    const bad = (liabilities: Float64Array, externalAssets: Float64Array) => () =>
      clearingVector({ liabilities, externalAssets });
    expect(bad(new Float64Array(3), vec([1, 1]))).toThrow(/liabilities: has 3 entries, expected n×n = 4/);
    expect(
      bad(
        matrix([
          [0, -1],
          [0, 0],
        ]),
        vec([1, 1]),
      ),
    ).toThrow(/liabilities\[0\]\[1\]: is -1/);
    expect(
      bad(
        matrix([
          [0, 1],
          [0, 2],
        ]),
        vec([1, 1]),
      ),
    ).toThrow(/liabilities\[1\]\[1\]: is 2: a node cannot owe itself/);
    expect(
      bad(
        matrix([
          [0, 1],
          [0, 0],
        ]),
        vec([1, Number.NaN]),
      ),
    ).toThrow(/externalAssets\[1\]: is NaN/);
    expect(
      bad(
        matrix([
          [0, 1],
          [0, 0],
        ]),
        vec([1, 1]),
      ),
    ).not.toThrow();
    try {
      bad(
        matrix([
          [0, 1],
          [0, 0],
        ]),
        vec([-2, 1]),
      )();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidNetworkError);
      expect((err as InvalidNetworkError).field).toBe("externalAssets[0]");
    }
  });
});

// ----------------------------------------------------------------------------------------------
// Properties
// ----------------------------------------------------------------------------------------------

type Network = { n: number; L: Float64Array; e: Float64Array };

/** Sparse random networks: each edge present with ~50% probability, amounts up to 1000. */
const network = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    L: fc
      .array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })), {
        minLength: n * n,
        maxLength: n * n,
      })
      .map((xs) => {
        const L = Float64Array.from(xs);
        for (let i = 0; i < n; i++) L[i * n + i] = 0;
        return L;
      }),
    e: fc
      .array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })), {
        minLength: n,
        maxLength: n,
      })
      .map((xs) => Float64Array.from(xs)),
  }),
);

const scaleOf = ({ L, e }: Network) => Math.max(1, ...L, ...e);

/**
 * Picard sweeps p <- min(pbar, e + Pi^T p), written independently of the implementation. From 0
 * they rise to the least clearing vector; from pbar they fall to the greatest, staying above it.
 */
function picardSweeps({ n, L, e }: Network, from: "zero" | "pbar", sweeps: number): Float64Array {
  const pbar = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pbar[i] = pbar[i]! + L[i * n + j]!;
  let p = from === "zero" ? new Float64Array(n) : Float64Array.from(pbar);
  for (let k = 0; k < sweeps; k++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let inflow = 0;
      for (let j = 0; j < n; j++) if (pbar[j]! > 0) inflow += (L[j * n + i]! / pbar[j]!) * p[j]!;
      next[i] = Math.min(pbar[i]!, e[i]! + inflow);
    }
    const moved = Math.max(0, ...next.map((x, i) => Math.abs(x - p[i]!)));
    p = next;
    if (moved === 0) break;
  }
  return p;
}

describe("clearingVector: properties", () => {
  it("is a fixed point, bounded by the obligations and by what each node has", () => {
    fc.assert(
      fc.property(network, (net) => {
        const {
          payments: p,
          obligations: pbar,
          inflows,
        } = clearingVector({ liabilities: net.L, externalAssets: net.e });
        const tol = 1e-9 * scaleOf(net);
        for (let i = 0; i < net.n; i++) {
          expect(p[i]!).toBeGreaterThanOrEqual(0);
          expect(p[i]!).toBeLessThanOrEqual(pbar[i]!);
          expect(p[i]!).toBeLessThanOrEqual(net.e[i]! + inflows[i]! + tol);
          expect(Math.abs(p[i]! - Math.min(pbar[i]!, net.e[i]! + inflows[i]!))).toBeLessThanOrEqual(tol);
        }
      }),
    );
  });

  it("never exceeds Picard iterates from pbar, which stay above the greatest clearing vector", () => {
    fc.assert(
      fc.property(network, (net) => {
        const exact = clearingVector({ liabilities: net.L, externalAssets: net.e });
        const above = picardSweeps(net, "pbar", 200);
        // The exact method treats a node short by less than its 1e-12 tolerance as solvent.
        const tol = 1e-9 * scaleOf(net);
        for (let i = 0; i < net.n; i++) expect(exact.payments[i]!).toBeLessThanOrEqual(above[i]! + tol);
      }),
    );
  });

  it("equals the greatest clearing vector (Picard limit) and dominates the least one", () => {
    // Whole-number amounts keep every leak around a cycle >= 1/7000 of its flow, so Picard
    // converges in reasonable time and its stopping error is bounded.
    const wholeNetwork = network.map(({ n, L, e }) => ({ n, L: L.map(Math.round), e: e.map(Math.round) }));
    fc.assert(
      fc.property(wholeNetwork, (net) => {
        const exact = clearingVector({ liabilities: net.L, externalAssets: net.e });
        const picard = clearingVector({
          liabilities: net.L,
          externalAssets: net.e,
          method: "picard",
          tolerance: 1e-13,
        });
        const least = picardSweeps(net, "zero", 100_000);
        const tol = 1e-6 * scaleOf(net);
        for (let i = 0; i < net.n; i++) {
          expect(Math.abs(exact.payments[i]! - picard.payments[i]!)).toBeLessThanOrEqual(tol);
          expect(exact.payments[i]!).toBeGreaterThanOrEqual(least[i]! - tol);
        }
      }),
    );
  });

  it("is monotone in external assets", () => {
    const withBoost = network.chain((net) =>
      fc.record({
        net: fc.constant(net),
        boost: fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: net.n, maxLength: net.n }),
      }),
    );
    fc.assert(
      fc.property(withBoost, ({ net, boost }) => {
        const richer = net.e.map((x, i) => x + boost[i]!);
        const before = clearingVector({ liabilities: net.L, externalAssets: net.e });
        const after = clearingVector({ liabilities: net.L, externalAssets: richer });
        const tol = 1e-9 * (scaleOf(net) + 500);
        for (let i = 0; i < net.n; i++)
          expect(after.payments[i]!).toBeGreaterThanOrEqual(before.payments[i]! - tol);
        for (const i of after.defaulted) expect(before.defaulted).toContain(i);
      }),
    );
  });
});
