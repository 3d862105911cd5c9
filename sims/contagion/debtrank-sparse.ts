/**
 * DebtRank over a sparse exposure matrix (CSR rows = lenders: row i, column j is what i has lent
 * to or invested in j). Same model, variants and result as `debtRank` (see debtrank.ts); work per
 * round is proportional to the number of exposures, not n^2. Compared with the dense version by
 * sparse.differential.test.ts.
 */
import type { DebtRankReturnType, DebtRankVariant } from "./debtrank.ts";
import { NodeState } from "./debtrank.ts";
import { DidNotConvergeError, InvalidNetworkError } from "./errors.ts";
import { checkSparse, type SparseMatrix, transpose } from "./sparse-network.ts";
import { checkVector } from "./validate-network.ts";

export type DebtRankSparseParameters = {
  exposures: SparseMatrix;
  equity: Float64Array;
  initialShock: Float64Array;
  economicValue?: Float64Array | undefined;
  variant?: DebtRankVariant | undefined;
  tolerance?: number | undefined;
  maxRounds?: number | undefined;
};

export function debtRankSparse(parameters: DebtRankSparseParameters): DebtRankReturnType {
  const { exposures: A, equity: E, initialShock: shock } = parameters;
  const variant = parameters.variant ?? "original";
  const n = E.length;
  checkVector("equity", E, n, { positive: true });
  checkSparse("exposures", A, n);
  checkVector("initialShock", shock, n);
  for (let i = 0; i < n; i++) {
    if (shock[i]! > 1)
      throw new InvalidNetworkError({
        field: `initialShock[${i}]`,
        problem: `is ${shock[i]}, expected a share of equity in [0, 1]`,
      });
  }
  const value = parameters.economicValue ?? E;
  checkVector("economicValue", value, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += value[i]!;
  if (n > 0 && sum === 0)
    throw new InvalidNetworkError({
      field: "economicValue",
      problem: "sums to 0",
      hint: "Give at least one node a positive value.",
    });
  const v = value.map((x) => x / sum);
  const run = variant === "original" ? original(A, E, shock, n) : differential(A, E, shock, n, parameters);
  const h = run.distress;
  let total = 0;
  let initial = 0;
  const defaulted: number[] = [];
  for (let i = 0; i < n; i++) {
    total += v[i]! * h[i]!;
    initial += v[i]! * shock[i]!;
    if (h[i]! >= 1) defaulted.push(i);
  }
  return {
    distress: h,
    debtRank: Math.min(1, Math.max(0, total - initial)),
    totalDistress: total,
    defaulted,
    rounds: run.rounds,
    states: run.states,
    variant,
  };
}

type Run = { distress: Float64Array; rounds: number; states: Uint8Array };

function original(A: SparseMatrix, E: Float64Array, shock: Float64Array, n: number): Run {
  // Who is exposed to j: the transposed entries of column j.
  const exposedTo = transpose(A);
  let h = Float64Array.from(shock);
  let s = new Uint8Array(n);
  let distressed = 0;
  for (let i = 0; i < n; i++) {
    s[i] = h[i]! > 0 ? NodeState.distressed : NodeState.undistressed;
    if (s[i] === NodeState.distressed) distressed++;
  }
  let rounds = 1;
  while (distressed > 0) {
    rounds++;
    const next = Float64Array.from(h);
    for (let j = 0; j < n; j++) {
      if (s[j] !== NodeState.distressed) continue;
      const hj = h[j]!;
      for (let k = exposedTo.rowStart[j]!; k < exposedTo.rowStart[j + 1]!; k++) {
        const i = exposedTo.column[k]!;
        next[i] = next[i]! + Math.min(1, exposedTo.value[k]! / E[i]!) * hj;
      }
    }
    const nextState = new Uint8Array(n);
    distressed = 0;
    for (let i = 0; i < n; i++) {
      next[i] = Math.min(1, next[i]!);
      nextState[i] =
        s[i] === NodeState.distressed
          ? NodeState.inactive
          : s[i] === NodeState.undistressed && next[i]! > 0
            ? NodeState.distressed
            : s[i]!;
      if (nextState[i] === NodeState.distressed) distressed++;
    }
    h = next;
    s = nextState;
  }
  return { distress: h, rounds, states: s };
}

function differential(
  A: SparseMatrix,
  E: Float64Array,
  shock: Float64Array,
  n: number,
  p: DebtRankSparseParameters,
): Run {
  const tolerance = p.tolerance ?? 1e-12;
  const maxRounds = p.maxRounds ?? 100_000;
  let h = Float64Array.from(shock);
  let rise = Number.POSITIVE_INFINITY;
  for (let t = 2; t <= maxRounds; t++) {
    const next = Float64Array.from(shock);
    for (let i = 0; i < n; i++) {
      let loss = next[i]!;
      for (let k = A.rowStart[i]!; k < A.rowStart[i + 1]!; k++)
        loss += (A.value[k]! / E[i]!) * h[A.column[k]!]!;
      next[i] = Math.min(1, loss);
    }
    rise = 0;
    for (let i = 0; i < n; i++) rise = Math.max(rise, next[i]! - h[i]!);
    h = next;
    if (rise <= tolerance) {
      const states = h.map((x) => (x > 0 ? NodeState.inactive : NodeState.undistressed));
      return { distress: h, rounds: t, states: Uint8Array.from(states) };
    }
  }
  throw new DidNotConvergeError({ solver: "differential DebtRank", iterations: maxRounds, residual: rise });
}
