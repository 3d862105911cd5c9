/**
 * DebtRank (Battiston, Puliga, Kaushik, Tasca, Caldarelli 2012, "DebtRank: Too Central to Fail?").
 *
 * Node i has lent A[i][j] to node j (i's exposure to j: what i loses if j is wiped out) and has
 * equity E_i. The impact of j on i is W[j][i] = min(1, A[i][j] / E_i): the share of i's equity
 * that j's failure would destroy. Distress h_i in [0, 1] is the share of equity i has lost.
 *
 * "original" (the 2012 algorithm): every node is undistressed (U), distressed (D) or inactive (I).
 * At t = 1, h = initialShock and the shocked nodes are D. Then, each round,
 *     h_i(t) = min(1, h_i(t-1) + sum_{j: s_j(t-1) = D} W[j][i] h_j(t-1)),
 * nodes that were D become I, and U nodes whose h rose become D. A node therefore passes its
 * distress on exactly once, in the round after it became distressed, which is what stops the
 * walk from revisiting cycles; it also means distress a node receives after that round is
 * never passed on. One consequence: the original is NOT monotone in the shock. Shocking a node
 * slightly makes it pass on only that slight distress and go inactive, where an unshocked node
 * would have waited and passed on everything it received (see the test).
 *
 * "differential" (Bardoscia, Battiston, Caccioli, Caldarelli 2015): every round each node passes
 * on the increase of its distress since the last round, with the uncapped leverage
 * Lambda[i][j] = A[i][j] / E_i (a loss of a share x of j's equity costs i A[i][j] x). This is
 * the iteration h(t+1) = min(1, shock + Lambda h(t)) from h(1) = shock, which is monotone in
 * the shock and converges to the least fixed point above it.
 *
 * The DebtRank R is the economic-value-weighted distress at the end minus that at the start:
 * R = sum_i v_i h_i(T) - sum_i v_i h_i(1), with sum_i v_i = 1, so 0 <= R <= 1.
 */
import { DidNotConvergeError, InvalidNetworkError } from "./errors.ts";
import { checkMatrix, checkVector } from "./validate-network.ts";

export type DebtRankVariant = "original" | "differential";

export type DebtRankParameters = {
  /** n×n row-major: `exposures[i * n + j]` is what node i has lent to (invested in) node j. */
  exposures: Float64Array;
  /** Equity (capital) of each node, > 0. Its length fixes n. */
  equity: Float64Array;
  /** Initial distress h_i(1) in [0, 1]: the share of i's equity lost to the exogenous shock. */
  initialShock: Float64Array;
  /**
   * Relative economic value v_i (>= 0, normalised here to sum to 1). The 2012 paper uses each
   * node's share of the system's economic value; by default we weight by equity, so R reads
   * as "share of the system's equity lost to contagion".
   */
  economicValue?: Float64Array | undefined;
  variant?: DebtRankVariant | undefined;
  /** Differential only: stop when no node's distress rose by more than this. Default 1e-12. */
  tolerance?: number | undefined;
  /** Differential only: throw DidNotConvergeError after this many rounds. Default 100 000. */
  maxRounds?: number | undefined;
};

export const NodeState = { undistressed: 0, distressed: 1, inactive: 2 } as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export type DebtRankReturnType = {
  /** Final distress h_i(T) in [0, 1]. */
  distress: Float64Array;
  /** R: value-weighted distress caused by propagation, excluding the initial shock. In [0, 1]. */
  debtRank: number;
  /** Value-weighted distress including the initial shock, sum_i v_i h_i(T). */
  totalDistress: number;
  /** Nodes whose equity is wiped out (h_i = 1), ascending. */
  defaulted: number[];
  /** Rounds, counting t = 1 (the shock) as the first. */
  rounds: number;
  /** Final state per node (original variant; all inactive or undistressed at the end). */
  states: Uint8Array;
  variant: DebtRankVariant;
};

export function debtRank(parameters: DebtRankParameters): DebtRankReturnType {
  const { exposures: A, equity: E, initialShock: shock } = parameters;
  const variant = parameters.variant ?? "original";
  const n = E.length;
  checkVector("equity", E, n, { positive: true });
  checkMatrix("exposures", A, n);
  checkVector("initialShock", shock, n);
  for (let i = 0; i < n; i++) {
    if (shock[i]! > 1) {
      throw new InvalidNetworkError({
        field: `initialShock[${i}]`,
        problem: `is ${shock[i]}, expected a share of equity in [0, 1]`,
      });
    }
  }
  const v = normalisedValue(parameters.economicValue ?? E, n);

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

function normalisedValue(value: Float64Array, n: number): Float64Array {
  checkVector("economicValue", value, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += value[i]!;
  if (n > 0 && sum === 0) {
    throw new InvalidNetworkError({
      field: "economicValue",
      problem: "sums to 0",
      hint: "Give at least one node a positive value.",
    });
  }
  return value.map((x) => x / sum);
}

type Run = { distress: Float64Array; rounds: number; states: Uint8Array };

function original(A: Float64Array, E: Float64Array, shock: Float64Array, n: number): Run {
  let h = Float64Array.from(shock);
  let s = new Uint8Array(n);
  for (let i = 0; i < n; i++) s[i] = h[i]! > 0 ? NodeState.distressed : NodeState.undistressed;
  let rounds = 1;
  while (s.includes(NodeState.distressed)) {
    rounds++;
    const next = Float64Array.from(h);
    for (let j = 0; j < n; j++) {
      if (s[j] !== NodeState.distressed) continue;
      const hj = h[j]!;
      for (let i = 0; i < n; i++) {
        const exposure = A[i * n + j]!;
        if (exposure === 0) continue;
        next[i] = next[i]! + Math.min(1, exposure / E[i]!) * hj;
      }
    }
    const nextState = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = Math.min(1, next[i]!);
      nextState[i] =
        s[i] === NodeState.distressed
          ? NodeState.inactive
          : s[i] === NodeState.undistressed && next[i]! > 0
            ? NodeState.distressed
            : s[i]!;
    }
    h = next;
    s = nextState;
  }
  return { distress: h, rounds, states: s };
}

function differential(
  A: Float64Array,
  E: Float64Array,
  shock: Float64Array,
  n: number,
  p: DebtRankParameters,
): Run {
  const tolerance = p.tolerance ?? 1e-12;
  const maxRounds = p.maxRounds ?? 100_000;
  let h = Float64Array.from(shock);
  let rise = Number.POSITIVE_INFINITY;
  for (let t = 2; t <= maxRounds; t++) {
    const next = Float64Array.from(shock);
    for (let i = 0; i < n; i++) {
      let loss = next[i]!;
      for (let j = 0; j < n; j++) {
        const exposure = A[i * n + j]!;
        if (exposure !== 0) loss += (exposure / E[i]!) * h[j]!;
      }
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
