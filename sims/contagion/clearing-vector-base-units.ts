/**
 * Eisenberg-Noe clearing for money counted in token base units (bigint).
 *
 * This is the float/bigint boundary for clearing. Amounts go into the float model as Numbers
 * (relative error 2^-53); solvent nodes then pay their obligation exactly and defaulters pay the
 * model's payment rounded down. A creditor of a defaulter receives floor(L[j][i] * p_j / pbar_j),
 * so sub-unit remainders ("dust") stay with the debtor, and a repair pass in exact integer
 * arithmetic lowers any node that would pay more than it holds until none does.
 *
 * Always: no node pays more than it owes or holds (exactly, in integers), and none pays more
 * than the real-valued clearing vector.
 *
 * Closeness: dust lost on one lap of a cycle of defaulters is lost again on the next, so it can
 * compound (all the way to zero for a cycle whose flows are a few units and which has no outside
 * assets). If repairs do not settle within a few sweeps we re-run the model with every node's
 * external assets lowered by a margin M = 2n + 2 units + 1e-9 of the largest amount. When every
 * node holds at least M outside the network, that run provably rounds to a payable vector at once,
 * and each node pays at least the rounded-down real clearing payment of the network with M
 * removed from everyone's external assets. Without that buffer, a nearly closed cycle with huge
 * amounts can need more sweeps than we allow, and we throw DidNotConvergeError.
 */
import { clearingVector } from "./eisenberg-noe.ts";
import { DidNotConvergeError, InvalidNetworkError } from "./errors.ts";

export type ClearingVectorBaseUnitsParameters = {
  /** `liabilities[i][j]` is what node i owes node j, in base units. Square, zero diagonal. */
  liabilities: readonly (readonly bigint[])[];
  /** External assets of each node, in base units. */
  externalAssets: readonly bigint[];
};

export type ClearingVectorBaseUnitsReturnType = {
  /** What each node pays in total (what its creditors receive plus its dust). */
  payments: bigint[];
  obligations: bigint[];
  shortfall: bigint[];
  /** What each node receives: sum over debtors j of floor(L[j][i] * p_j / pbar_j). */
  inflows: bigint[];
  /** e_i + inflows_i - p_i, never negative. */
  equity: bigint[];
  /** Nodes paying less than they owe (including by dust), ascending. */
  defaulted: number[];
  /** Rounds of the float model (of the last run). */
  iterations: number;
  /** Integer repair sweeps of the last run (1 means the rounded model needed no repair). */
  repairSweeps: number;
  /** External-asset margin of the last run, in base units: 0 unless dust compounded. */
  marginUnits: bigint;
};

/** Sweeps allowed before falling back to the margin run. */
const QUICK_REPAIR_SWEEPS = 64;

export function clearingVectorBaseUnits(
  parameters: ClearingVectorBaseUnitsParameters,
): ClearingVectorBaseUnitsReturnType {
  const { liabilities: L, externalAssets: e } = parameters;
  const n = e.length;
  validate(L, e, n);
  const pbar = L.map((row) => row.reduce((a, b) => a + b, 0n));
  const floatL = Float64Array.from(L.flatMap((row) => row.map(Number)));

  const inflowsAt = (p: readonly bigint[]): bigint[] => {
    const inflow = new Array<bigint>(n).fill(0n);
    for (let j = 0; j < n; j++) {
      if (pbar[j] === 0n || p[j] === 0n) continue;
      for (let i = 0; i < n; i++) inflow[i] = inflow[i]! + (L[j]![i]! * p[j]!) / pbar[j]!;
    }
    return inflow;
  };

  const run = (margin: bigint, maxSweeps: number) => {
    const model = clearingVector({
      liabilities: floatL,
      externalAssets: Float64Array.from(e, (x) => Number(x > margin ? x - margin : 0n)),
    });
    // Solvent nodes pay their obligation exactly (Number(pbar) can be off by more than a unit for
    // large amounts); defaulters start from the model's payment rounded down.
    const defaultedInModel = new Set(model.defaulted);
    const p = pbar.map((owed, i) => {
      if (!defaultedInModel.has(i)) return owed;
      const rounded = BigInt(Math.floor(model.payments[i]!));
      return rounded < 0n ? 0n : rounded > owed ? owed : rounded;
    });
    // p <- min(p, e + inflows(p)): only ever lowers payments, and never below any payable
    // vector that starts below p (the map is monotone), so it settles on a payable vector.
    for (let sweeps = 1; sweeps <= maxSweeps; sweeps++) {
      const inflow = inflowsAt(p);
      let changed = false;
      for (let i = 0; i < n; i++) {
        const available = e[i]! + inflow[i]!;
        if (p[i]! > available) {
          p[i] = available;
          changed = true;
        }
      }
      if (!changed) return { p, sweeps, iterations: model.iterations };
    }
    return undefined;
  };

  let margin = 0n;
  let settled = run(margin, QUICK_REPAIR_SWEEPS);
  if (!settled) {
    const largest = Math.max(0, ...L.flat().map(Number), ...e.map(Number));
    margin = 2n * BigInt(n) + 2n + BigInt(Math.ceil(1e-9 * largest));
    // The margin covers rounding by construction; the doubling only guards float error in the
    // model on badly conditioned networks.
    for (let attempt = 0; attempt < 32; attempt++) {
      settled = run(margin, QUICK_REPAIR_SWEEPS);
      if (settled) break;
      margin *= 2n;
    }
    if (!settled)
      throw new DidNotConvergeError({
        solver: "integer clearing repair",
        iterations: QUICK_REPAIR_SWEEPS,
        residual: 1,
      });
  }

  const { p, sweeps, iterations } = settled;
  const inflows = inflowsAt(p);
  const defaulted: number[] = [];
  for (let i = 0; i < n; i++) if (p[i]! < pbar[i]!) defaulted.push(i);
  return {
    payments: p,
    obligations: pbar,
    shortfall: pbar.map((owed, i) => owed - p[i]!),
    inflows,
    equity: p.map((paid, i) => e[i]! + inflows[i]! - paid),
    defaulted,
    iterations,
    repairSweeps: sweeps,
    marginUnits: margin,
  };
}

function validate(L: readonly (readonly bigint[])[], e: readonly bigint[], n: number): void {
  if (L.length !== n) {
    throw new InvalidNetworkError({
      field: "liabilities",
      problem: `has ${L.length} rows, expected ${n} (one per node)`,
    });
  }
  e.forEach((x, i) => {
    if (x < 0n)
      throw new InvalidNetworkError({ field: `externalAssets[${i}]`, problem: `is ${x}, expected >= 0` });
  });
  L.forEach((row, i) => {
    if (row.length !== n) {
      throw new InvalidNetworkError({
        field: `liabilities[${i}]`,
        problem: `has ${row.length} entries, expected ${n}`,
      });
    }
    row.forEach((x, j) => {
      if (x < 0n)
        throw new InvalidNetworkError({
          field: `liabilities[${i}][${j}]`,
          problem: `is ${x}, expected >= 0`,
        });
      if (i === j && x !== 0n) {
        throw new InvalidNetworkError({
          field: `liabilities[${i}][${i}]`,
          problem: `is ${x}: a node cannot owe itself`,
          hint: "Put 0n on the diagonal.",
        });
      }
    });
  });
}
