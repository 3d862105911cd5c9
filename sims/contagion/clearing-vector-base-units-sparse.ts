/**
 * Eisenberg-Noe clearing in base units (bigint) over a sparse liability matrix: the sparse
 * counterpart of `clearingVectorBaseUnits`, with the same boundary and guarantees (see that
 * file): the float model (here `clearingVectorSparse`) proposes payments; solvent nodes pay their
 * obligation exactly, defaulters the model's payment rounded down; integer repair sweeps, each one
 * pass over the entries, lower any node that would pay more than it holds; if dust compounds, the
 * model is re-run with a margin off everyone's external assets.
 *
 * Always: no node pays more than it owes or holds (exactly, in integers). Compared with the dense
 * version by sparse.differential.test.ts.
 */
import { clearingVectorSparse } from "./clearing-vector-sparse.ts";
import { DidNotConvergeError, InvalidNetworkError } from "./errors.ts";
import { checkSparse, type SparseMatrix, type SparseMatrixBaseUnits } from "./sparse-network.ts";

export type ClearingVectorBaseUnitsSparseParameters = {
  /** Row i lists what node i owes its creditors, base units. */
  liabilities: SparseMatrixBaseUnits;
  externalAssets: readonly bigint[];
};

export type ClearingVectorBaseUnitsSparseReturnType = {
  payments: bigint[];
  obligations: bigint[];
  shortfall: bigint[];
  inflows: bigint[];
  equity: bigint[];
  defaulted: number[];
  iterations: number;
  repairSweeps: number;
  marginUnits: bigint;
};

const QUICK_REPAIR_SWEEPS = 64;

export function clearingVectorBaseUnitsSparse(
  parameters: ClearingVectorBaseUnitsSparseParameters,
): ClearingVectorBaseUnitsSparseReturnType {
  const { liabilities: L, externalAssets: e } = parameters;
  const n = e.length;
  checkSparse("liabilities", L, n);
  e.forEach((x, i) => {
    if (x < 0n)
      throw new InvalidNetworkError({ field: `externalAssets[${i}]`, problem: `is ${x}, expected >= 0` });
  });
  const pbar = new Array<bigint>(n).fill(0n);
  for (let i = 0; i < n; i++)
    for (let k = L.rowStart[i]!; k < L.rowStart[i + 1]!; k++) pbar[i] = pbar[i]! + L.value[k]!;
  const floatL: SparseMatrix = {
    n,
    rowStart: L.rowStart,
    column: L.column,
    value: Float64Array.from(L.value, Number),
  };

  const inflowsAt = (p: readonly bigint[]): bigint[] => {
    const inflow = new Array<bigint>(n).fill(0n);
    for (let j = 0; j < n; j++) {
      if (pbar[j] === 0n || p[j] === 0n) continue;
      const paid = p[j]!;
      const owed = pbar[j]!;
      for (let k = L.rowStart[j]!; k < L.rowStart[j + 1]!; k++) {
        const i = L.column[k]!;
        inflow[i] = inflow[i]! + (paid === owed ? L.value[k]! : (L.value[k]! * paid) / owed);
      }
    }
    return inflow;
  };

  const run = (margin: bigint, maxSweeps: number) => {
    const model = clearingVectorSparse({
      liabilities: floatL,
      externalAssets: Float64Array.from(e, (x) => Number(x > margin ? x - margin : 0n)),
    });
    const defaultedInModel = new Uint8Array(n);
    for (const i of model.defaulted) defaultedInModel[i] = 1;
    const p = pbar.map((owed, i) => {
      if (!defaultedInModel[i]) return owed;
      const rounded = BigInt(Math.floor(model.payments[i]!));
      return rounded < 0n ? 0n : rounded > owed ? owed : rounded;
    });
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
    let largest = 0;
    for (const x of L.value) largest = Math.max(largest, Number(x));
    for (const x of e) largest = Math.max(largest, Number(x));
    margin = 2n * BigInt(n) + 2n + BigInt(Math.ceil(1e-9 * largest));
    for (let attempt = 0; attempt < 32; attempt++) {
      settled = run(margin, QUICK_REPAIR_SWEEPS);
      if (settled) break;
      margin *= 2n;
    }
    if (!settled)
      throw new DidNotConvergeError({
        solver: "sparse integer clearing repair",
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
