/**
 * Eisenberg-Noe (2001) clearing of a network of nominal liabilities.
 *
 * Node i owes L[i][j] to node j and holds external (non-network) assets e_i. Its total obligation
 * is pbar_i = sum_j L[i][j], and each creditor j is entitled to the share Pi[i][j] = L[i][j] /
 * pbar_i of whatever i pays. A clearing vector p satisfies, for every i,
 *
 *     p_i = min(pbar_i, e_i + sum_j Pi[j][i] p_j)
 *
 * (limited liability: nobody pays more than it has; absolute priority: debt before equity;
 * proportionality: creditors share pro rata). We return the greatest clearing vector, which
 * is the one EN single out (it is unique when the system is "regular").
 *
 * Units: this is a float model. Amounts are plain numbers in whatever unit the caller chose
 * (USD, or token base units as floats); the bigint boundary is `clearingVectorBaseUnits`.
 */
import { DidNotConvergeError } from "./errors.ts";
import { checkMatrix, checkVector } from "./validate-network.ts";

export type ClearingMethod = "fictitious-default" | "picard";

export type ClearingVectorParameters = {
  /** n×n row-major: `liabilities[i * n + j]` is what node i owes node j. Zero diagonal. */
  liabilities: Float64Array;
  /** External assets e_i of each node (length n, which fixes n). */
  externalAssets: Float64Array;
  /**
   * "fictitious-default" (default): EN's algorithm, exact up to float rounding in at most n + 1
   * rounds, each solving one linear system over the defaulting nodes (O(n^3) per round).
   * "picard": iterate p <- min(pbar, e + Pi^T p) down from pbar; converges to the same greatest
   * clearing vector, geometrically (slowly around a nearly closed cycle of defaulters), so its
   * answer is only as good as `tolerance`; it is here as a cross-check.
   */
  method?: ClearingMethod | undefined;
  /**
   * Relative tolerance, per node (a fraction of the node's own obligation or resources).
   * Fictitious default: slack when deciding whether a node can cover its obligation, so rounding
   * never defaults a node that exactly breaks even. Picard: stop when no payment moved by more
   * than this fraction of its obligation. Default 1e-12.
   */
  tolerance?: number | undefined;
  /** Picard only: give up (throw DidNotConvergeError) after this many sweeps. Default 1e6. */
  maxIterations?: number | undefined;
};

export type ClearingVectorReturnType = {
  /** Clearing payment p_i of each node, 0 <= p_i <= pbar_i. */
  payments: Float64Array;
  /** Total nominal obligation pbar_i (row sums of L). */
  obligations: Float64Array;
  /** Unpaid part of each obligation, pbar_i - p_i. */
  shortfall: Float64Array;
  /** What each node receives from its debtors at the clearing vector, sum_j Pi[j][i] p_j. */
  inflows: Float64Array;
  /** Residual value e_i + inflows_i - p_i (>= 0: limited liability). */
  equity: Float64Array;
  /** Indices of nodes that pay less than they owe, ascending. */
  defaulted: number[];
  /** Rounds (fictitious default) or sweeps (Picard) performed. */
  iterations: number;
  method: ClearingMethod;
};

export function clearingVector(parameters: ClearingVectorParameters): ClearingVectorReturnType {
  const { liabilities: L, externalAssets: e } = parameters;
  const method = parameters.method ?? "fictitious-default";
  const tolerance = parameters.tolerance ?? 1e-12;
  const n = e.length;
  checkVector("externalAssets", e, n);
  checkMatrix("liabilities", L, n);

  const pbar = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += L[i * n + j]!;
    pbar[i] = s;
  }
  const solved =
    method === "picard"
      ? picard(L, e, pbar, n, tolerance, parameters.maxIterations ?? 1_000_000)
      : fictitiousDefault(L, e, pbar, n, tolerance);
  const p = solved.payments;

  const inflows = inflowsAt(L, pbar, p, n);
  const shortfall = new Float64Array(n);
  const equity = new Float64Array(n);
  const defaulted: number[] = [];
  for (let i = 0; i < n; i++) {
    shortfall[i] = pbar[i]! - p[i]!;
    equity[i] = Math.max(0, e[i]! + inflows[i]! - p[i]!);
    if (solved.isDefaulted(i)) defaulted.push(i);
  }
  return {
    payments: p,
    obligations: pbar,
    shortfall,
    inflows,
    equity,
    defaulted,
    iterations: solved.iterations,
    method,
  };
}

/** sum_j Pi[j][i] p_j for every i. A node with no obligations pays nothing and has no Pi row. */
function inflowsAt(L: Float64Array, pbar: Float64Array, p: Float64Array, n: number): Float64Array {
  const inflow = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const owed = pbar[j]!;
    if (owed === 0) continue;
    const paidShare = p[j]! / owed;
    if (paidShare === 0) continue;
    for (let i = 0; i < n; i++) inflow[i] = inflow[i]! + L[j * n + i]! * paidShare;
  }
  return inflow;
}

type Solved = { payments: Float64Array; iterations: number; isDefaulted: (i: number) => boolean };

/**
 * EN section 3.1. Assume nobody defaults (p = pbar). Each round: the nodes that cannot cover
 * their obligation at the current p join the default set D; solvent nodes pay pbar and the
 * nodes in D pay everything they have, which is the linear system
 *     (I - Pi_DD^T) p_D = e_D + sum_{j not in D} L[j][D].
 * p only falls, so D only grows; when a round adds nobody, p is the greatest clearing vector.
 * (I - Pi_DD^T) is invertible: a set of defaulters whose obligations all stay inside the set
 * would have to receive back at least what it owes, so it could not all be in default.
 */
function fictitiousDefault(
  L: Float64Array,
  e: Float64Array,
  pbar: Float64Array,
  n: number,
  tolerance: number,
): Solved {
  const p = Float64Array.from(pbar);
  const inDefault = new Uint8Array(n);
  let rounds = 0;
  for (;;) {
    rounds++;
    const inflow = inflowsAt(L, pbar, p, n);
    let grew = false;
    for (let i = 0; i < n; i++) {
      const has = e[i]! + inflow[i]!;
      if (!inDefault[i] && has < pbar[i]! - tolerance * Math.max(pbar[i]!, has)) {
        inDefault[i] = 1;
        grew = true;
      }
    }
    if (!grew) break;

    const D: number[] = [];
    for (let i = 0; i < n; i++) if (inDefault[i]) D.push(i);
    const m = D.length;
    const A = new Float64Array(m * m);
    const b = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const i = D[r]!;
      let rhs = e[i]!;
      for (let j = 0; j < n; j++) if (!inDefault[j]) rhs += L[j * n + i]!;
      b[r] = rhs;
      for (let c = 0; c < m; c++) {
        const j = D[c]!;
        A[r * m + c] = (r === c ? 1 : 0) - (pbar[j]! === 0 ? 0 : L[j * n + i]! / pbar[j]!);
      }
    }
    const pD = solveLinear(A, b, m);
    for (let r = 0; r < m; r++) {
      const i = D[r]!;
      p[i] = Math.min(pbar[i]!, Math.max(0, pD[r]!));
    }
  }
  return { payments: p, iterations: rounds, isDefaulted: (i) => inDefault[i] === 1 };
}

/** Picard iteration from pbar: a decreasing sequence that converges to the greatest fixed point. */
function picard(
  L: Float64Array,
  e: Float64Array,
  pbar: Float64Array,
  n: number,
  tolerance: number,
  maxIterations: number,
): Solved {
  let p = Float64Array.from(pbar);
  let moved = Number.POSITIVE_INFINITY;
  for (let k = 1; k <= maxIterations; k++) {
    const inflow = inflowsAt(L, pbar, p, n);
    const next = new Float64Array(n);
    moved = 0;
    for (let i = 0; i < n; i++) {
      next[i] = Math.min(pbar[i]!, e[i]! + inflow[i]!);
      moved = Math.max(moved, Math.abs(next[i]! - p[i]!) / pbar[i]! || 0);
    }
    p = next;
    // The iterate approaches the fixed point from above, so a shortfall well above the step
    // size is a real default, not a rounding artefact.
    if (moved <= tolerance) {
      const settled = p;
      return {
        payments: settled,
        iterations: k,
        isDefaulted: (i) => pbar[i]! - settled[i]! > 1e3 * tolerance * pbar[i]!,
      };
    }
  }
  throw new DidNotConvergeError({ solver: "Picard clearing", iterations: maxIterations, residual: moved });
}

/** Gaussian elimination with partial pivoting; A (m×m, row-major) and b are consumed. Shared with
 *  the sparse clearing, which solves small default sets densely. */
export function solveLinear(A: Float64Array, b: Float64Array, m: number): Float64Array {
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++)
      if (Math.abs(A[r * m + col]!) > Math.abs(A[pivot * m + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < m; c++) {
        const t = A[col * m + c]!;
        A[col * m + c] = A[pivot * m + c]!;
        A[pivot * m + c] = t;
      }
      const t = b[col]!;
      b[col] = b[pivot]!;
      b[pivot] = t;
    }
    const d = A[col * m + col]!;
    // Cannot happen for a default set (see fictitiousDefault); guard against float cancellation.
    if (Math.abs(d) < 1e-300) continue;
    for (let r = col + 1; r < m; r++) {
      const f = A[r * m + col]! / d;
      if (f === 0) continue;
      for (let c = col; c < m; c++) A[r * m + c] = A[r * m + c]! - f * A[col * m + c]!;
      b[r] = b[r]! - f * b[col]!;
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < m; c++) s -= A[r * m + c]! * x[c]!;
    const d = A[r * m + r]!;
    x[r] = Math.abs(d) < 1e-300 ? 0 : s / d;
  }
  return x;
}
