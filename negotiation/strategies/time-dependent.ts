/**
 * Time-dependent concession on the rate (Faratin, Sierra & Jennings 1998): the target moves from
 * the opening rate to the reservation rate as f(t) = t^(1/e), where t is the larger of the round
 * share and the wall-time share. e < 1 is Boulware (holds firm, concedes late), e = 1 linear,
 * e > 1 conceder. Acceptance is AC_next: accept what is at least as good as what we would offer next.
 * The call level (the Agreement's callRiskLevel) is a policy term: this side accepts only the levels
 * it is given, and proposes the counterparty's last one if it is among them, else its own first.
 * The margin (threshold, bonus, tightening) is one too: by default a side accepts only its template's
 * own (none, for a template without); with `margin` it accepts what that allows and proposes the
 * counterparty's last margin when it accepts it, else its template's.
 */
import { callRiskLevelAgreed } from "./issue-space.ts";
import { type MarginAcceptance, marginOf, sameMargin, withMargin } from "./margin-terms.ts";
import type { SessionView, Side, Strategy, Terms } from "./strategy.ts";

export type TimeDependentParameters = {
  side: Side;
  /** The rate this side opens with (lender: high, borrower: low). */
  openingRateBps: number;
  /** The worst rate this side will take (lender: minimum, borrower: maximum). */
  reservationRateBps: number;
  /** Concession exponent: e < 1 Boulware, 1 linear, > 1 conceder. */
  exponent: number;
  /** The non-rate issues this side proposes (amount, tenor, collateral, haircut, and the call
   *  level when it is not 0). */
  template: Omit<Terms, "rateBps">;
  /** The call levels this side agrees to. Default: the template's alone (absent: [0], never
   *  callable). With several, it proposes the counterparty's last level if it is one of them. */
  callRiskLevels?: readonly number[];
  /** The margins this side agrees to. Default: exactly the template's (none if it has none). */
  margin?: MarginAcceptance;
  name?: string;
};

export function concession(view: Pick<SessionView, "round" | "maxRounds" | "elapsed">, exponent: number) {
  const byRounds = view.maxRounds <= 1 ? 1 : Math.min(1, view.round / (view.maxRounds - 1));
  const t = Math.min(1, Math.max(byRounds, view.elapsed));
  return t ** (1 / exponent);
}

export function createTimeDependentStrategy(p: TimeDependentParameters): Strategy {
  const rateAt = (view: Pick<SessionView, "round" | "maxRounds" | "elapsed">) =>
    Math.round(p.openingRateBps + (p.reservationRateBps - p.openingRateBps) * concession(view, p.exponent));
  // Lenders want higher rates, borrowers lower ones.
  const better = (a: number, b: number) => (p.side === "lender" ? a >= b : a <= b);
  const levels = p.callRiskLevels ?? [p.template.callRiskLevel ?? 0];
  const { callRiskLevel: _, ...plain } = p.template;
  // One level, the template's: the template as it is (what every agent does by default).
  const fixed = levels.length === 1 && levels[0] === (p.template.callRiskLevel ?? 0);
  /** The template at the call level we propose next. */
  const templateFor = (view: SessionView): Omit<Terms, "rateBps"> => {
    if (fixed) return p.template;
    const theirs = view.theirLast?.callRiskLevel ?? 0;
    const level = view.theirLast !== undefined && levels.includes(theirs) ? theirs : (levels[0] ?? 0);
    return level === 0 ? plain : { ...plain, callRiskLevel: level };
  };
  const marginAgreed = p.margin ?? ((m) => sameMargin(m, p.template));
  /** The template at the margin we propose next: theirs if we agree to it, else the template's. */
  const withMarginFor = (view: SessionView, t: Omit<Terms, "rateBps">): Omit<Terms, "rateBps"> => {
    if (!p.margin || view.theirLast === undefined) return t;
    const theirs = marginOf(view.theirLast);
    return p.margin(theirs) ? withMargin(t, theirs) : t;
  };
  return {
    name: p.name ?? (p.exponent < 1 ? "boulware" : p.exponent > 1 ? "conceder" : "linear"),
    propose: (view) => ({ ...withMarginFor(view, templateFor(view)), rateBps: rateAt(view) }),
    accept: (view, theirs) => {
      if (!callRiskLevelAgreed(levels, theirs)) return false;
      if (!marginAgreed(marginOf(theirs))) return false;
      if (!better(theirs.rateBps, p.reservationRateBps)) return false;
      if (theirs.principal !== p.template.principal || theirs.tenor > p.template.tenor) return false;
      if (theirs.collateralToken.toLowerCase() !== p.template.collateralToken.toLowerCase()) return false;
      // Lenders need at least their collateral; borrowers post at most theirs.
      if (
        p.side === "lender"
          ? theirs.collateral < p.template.collateral
          : theirs.collateral > p.template.collateral
      )
        return false;
      return better(theirs.rateBps, rateAt(view));
    },
  };
}
