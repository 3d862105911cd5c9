/**
 * Eisenberg-Noe clearing over a sparse liability matrix (CSR rows = debtors), for networks of
 * hundreds or thousands of protocols with a few claims each. Same model and same answer (the
 * greatest clearing vector) as the dense `clearingVector`; sims/contagion/sparse.differential.test.ts
 * compares them on random networks.
 *
 * Fictitious default (EN section 3.1) with sparse work per round: inflows are one pass over the
 * entries; the default set's linear system
 *     p_i = e_i + sum_{j not in D} L[j][i] + sum_{j in D} (L[j][i] / pbar_j) p_j,  i in D
 * is solved densely when D is small (the dense code's elimination) and otherwise by Gauss-Seidel
 * sweeps over the transposed entries, which converge because no closed set of defaulters owes
 * only itself (the system's matrix is invertible with spectral radius of Pi_DD below one).
 */
import { solveLinear } from "./eisenberg-noe.ts";
import { DidNotConvergeError } from "./errors.ts";
import { checkSparse, rowSums, type SparseMatrix, transpose } from "./sparse-network.ts";
import { checkVector } from "./validate-network.ts";

export type ClearingVectorSparseParameters = {
  /** Row i lists what node i owes its creditors (column j: node j). */
  liabilities: SparseMatrix;
  externalAssets: Float64Array;
  /** As in clearingVector: relative slack when deciding whether a node covers its obligation. */
  tolerance?: number | undefined;
  /** Default sets up to this size are solved by dense elimination. Default 256. */
  denseLimit?: number | undefined;
  /** Gauss-Seidel sweeps allowed per round for larger default sets. Default 100 000. */
  maxSweeps?: number | undefined;
};

export type ClearingVectorSparseReturnType = {
  payments: Float64Array;
  obligations: Float64Array;
  shortfall: Float64Array;
  inflows: Float64Array;
  equity: Float64Array;
  defaulted: number[];
  /** Fictitious-default rounds. */
  iterations: number;
};

/** sum_j L[j][i] p_j / pbar_j for every i: one pass over the entries. */
export function sparseInflows(L: SparseMatrix, pbar: Float64Array, p: Float64Array): Float64Array {
  const inflow = new Float64Array(L.n);
  for (let j = 0; j < L.n; j++) {
    const owed = pbar[j]!;
    if (owed === 0) continue;
    const paidShare = p[j]! / owed;
    if (paidShare === 0) continue;
    for (let k = L.rowStart[j]!; k < L.rowStart[j + 1]!; k++)
      inflow[L.column[k]!] = inflow[L.column[k]!]! + L.value[k]! * paidShare;
  }
  return inflow;
}

export function clearingVectorSparse(
  parameters: ClearingVectorSparseParameters,
): ClearingVectorSparseReturnType {
  const { liabilities: L, externalAssets: e } = parameters;
  const tolerance = parameters.tolerance ?? 1e-12;
  const denseLimit = parameters.denseLimit ?? 256;
  const maxSweeps = parameters.maxSweeps ?? 100_000;
  const n = e.length;
  checkVector("externalAssets", e, n);
  checkSparse("liabilities", L, n);
  const pbar = rowSums(L);
  // Who owes each node: built only if someone defaults.
  let incoming: Incoming | undefined;
  const p = Float64Array.from(pbar);
  const inDefault = new Uint8Array(n);
  const position = new Int32Array(n).fill(-1);
  let rounds = 0;
  let inflow: Float64Array;
  for (;;) {
    rounds++;
    inflow = sparseInflows(L, pbar, p);
    let grew = false;
    for (let i = 0; i < n; i++) {
      const has = e[i]! + inflow[i]!;
      if (!inDefault[i] && has < pbar[i]! - tolerance * Math.max(pbar[i]!, has)) {
        inDefault[i] = 1;
        grew = true;
      }
    }
    if (!grew) break;
    incoming ??= transpose(L);

    const D: number[] = [];
    for (let i = 0; i < n; i++) if (inDefault[i]) D.push(i);
    D.forEach((i, r) => {
      position[i] = r;
    });
    const m = D.length;
    // Right-hand side: outside assets plus full payments from solvent debtors.
    const b = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const i = D[r]!;
      let rhs = e[i]!;
      for (let k = incoming.rowStart[i]!; k < incoming.rowStart[i + 1]!; k++) {
        const j = incoming.column[k]!;
        if (!inDefault[j]) rhs += incoming.value[k]!;
      }
      b[r] = rhs;
    }
    const pD =
      m <= denseLimit
        ? solveDense(D, b, incoming, pbar, inDefault, position)
        : solveGaussSeidel(D, b, incoming, pbar, inDefault, p, maxSweeps);
    for (let r = 0; r < m; r++) {
      const i = D[r]!;
      p[i] = Math.min(pbar[i]!, Math.max(0, pD[r]!));
    }
  }

  // The last round's inflows are at the final payments (the round added no defaulter).
  const inflows = inflow;
  const shortfall = new Float64Array(n);
  const equity = new Float64Array(n);
  const defaulted: number[] = [];
  for (let i = 0; i < n; i++) {
    shortfall[i] = pbar[i]! - p[i]!;
    equity[i] = Math.max(0, e[i]! + inflows[i]! - p[i]!);
    if (inDefault[i]) defaulted.push(i);
  }
  return { payments: p, obligations: pbar, shortfall, inflows, equity, defaulted, iterations: rounds };
}

type Incoming = ReturnType<typeof transpose<Float64Array>>;

function solveDense(
  D: number[],
  b: Float64Array,
  incoming: Incoming,
  pbar: Float64Array,
  inDefault: Uint8Array,
  position: Int32Array,
): Float64Array {
  const m = D.length;
  const A = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    A[r * m + r] = 1;
    const i = D[r]!;
    for (let k = incoming.rowStart[i]!; k < incoming.rowStart[i + 1]!; k++) {
      const j = incoming.column[k]!;
      if (!inDefault[j] || pbar[j] === 0) continue;
      const c = position[j]!;
      A[r * m + c] = A[r * m + c]! - incoming.value[k]! / pbar[j]!;
    }
  }
  return solveLinear(A, b, m);
}

function solveGaussSeidel(
  D: number[],
  b: Float64Array,
  incoming: Incoming,
  pbar: Float64Array,
  inDefault: Uint8Array,
  p: Float64Array,
  maxSweeps: number,
): Float64Array {
  const m = D.length;
  // Start from the current payments (above the solution: the iteration decreases to it).
  const x = Float64Array.from(D, (i) => p[i]!);
  const value = new Float64Array(p);
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let moved = 0;
    for (let r = 0; r < m; r++) {
      const i = D[r]!;
      let next = b[r]!;
      for (let k = incoming.rowStart[i]!; k < incoming.rowStart[i + 1]!; k++) {
        const j = incoming.column[k]!;
        if (inDefault[j] && pbar[j]! > 0) next += (incoming.value[k]! / pbar[j]!) * value[j]!;
      }
      const change = Math.abs(next - x[r]!) / Math.max(1, pbar[i]!);
      if (change > moved) moved = change;
      x[r] = next;
      value[i] = next;
    }
    if (moved <= 1e-14) return x;
  }
  throw new DidNotConvergeError({
    solver: "sparse clearing (Gauss-Seidel)",
    iterations: maxSweeps,
    residual: 1,
  });
}
