/**
 * Acceptance conditions (Baarslag et al., "Acceptance conditions in automated negotiation"):
 * pure predicates over what this side knows when an offer arrives. A strategy additionally never
 * accepts below its reservation (see `withinReservation`); these decide among what is left.
 */

export type AcceptanceInput = {
  /** Utility to us of the offer on the table. */
  offered: number;
  /** Utility to us of what we would propose next. */
  myNext: number;
  /** Utility to us of what we proposed last (undefined before our first offer). */
  myLast: number | undefined;
  /** Utility to us of each earlier offer of theirs, oldest first (not the one on the table). */
  theirEarlier: readonly number[];
  /** Share of the deadline used, in [0, 1]. */
  t: number;
};

export type AcceptanceCondition = (a: AcceptanceInput) => boolean;

/** AC_next(α, β): accept if α·offered + β is at least what we would offer next. */
export function acNext(alpha = 1, beta = 0): AcceptanceCondition {
  return (a) => alpha * a.offered + beta >= a.myNext;
}

/** AC_prev: accept if the offer is at least as good as our own last offer. */
export function acPrev(): AcceptanceCondition {
  return (a) => a.myLast !== undefined && a.offered >= a.myLast;
}

/** AC_const(c): accept anything worth at least c. */
export function acConst(c: number): AcceptanceCondition {
  return (a) => a.offered >= c;
}

/** AC_time(T): accept anything once the share T of the deadline is gone. */
export function acTime(T: number): AcceptanceCondition {
  return (a) => a.t >= T;
}

/** AC_combi(T, MAX^W): AC_next, or after time T, an offer at least as good as the best they made
 *  in the last `window` offers (all of them by default): late on, take the best they will give. */
export function acCombi(p: { T?: number; window?: number } = {}): AcceptanceCondition {
  const T = p.T ?? 0.9;
  return (a) => {
    if (acNext()(a)) return true;
    if (a.t < T) return false;
    const recent = p.window === undefined ? a.theirEarlier : a.theirEarlier.slice(-p.window);
    return a.offered >= Math.max(0, ...recent);
  };
}

export function anyOf(...cs: AcceptanceCondition[]): AcceptanceCondition {
  return (a) => cs.some((c) => c(a));
}

export function allOf(...cs: AcceptanceCondition[]): AcceptanceCondition {
  return (a) => cs.every((c) => c(a));
}
