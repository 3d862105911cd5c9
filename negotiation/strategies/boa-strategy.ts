/**
 * Composes a Strategy from the three BOA parts (Baarslag et al.): a bidding target, an
 * acceptance condition and an opponent model, over a Valuation. Every decision asks the
 * valuation for its reservation values afresh, and two rules hold whatever the parts say:
 * no bid goes beyond the reservation, no accepted offer falls below it.
 */
import type { RfqBody } from "../wire/schemas.ts";
import { type AcceptanceCondition, acNext } from "./acceptance.ts";
import { type Bid, isoUtilityBid, progress, type TargetFunction } from "./bidding.ts";
import { type GridLevels, issueValues } from "./issue-space.ts";
import { type OpponentModel, uniformOpponent } from "./opponent-model.ts";
import type { SessionView, Side, Strategy, Terms } from "./strategy.ts";
import { type Valuation, withinReservation } from "./utility.ts";

export type CreateBoaStrategyParameters = {
  name: string;
  valuation: Valuation;
  rfq: RfqBody;
  target: TargetFunction;
  /** Default AC_next. */
  acceptance?: AcceptanceCondition;
  /** Default none: the opponent is assumed to weigh all issues equally. */
  opponentModel?: OpponentModel;
  /** Utility band above the target within which the opponent model picks. Default 0.02. */
  window?: number;
  grid?: GridLevels;
};

export type BoaStrategy = Strategy & {
  readonly valuation: Valuation;
  /** The bid this strategy would make in `view` (what `propose` returns, with utilities). */
  bid(view: SessionView): Bid;
};

const otherSide = (side: Side): Side => (side === "lender" ? "borrower" : "lender");
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function createBoaStrategy(p: CreateBoaStrategyParameters): BoaStrategy {
  const { valuation, rfq } = p;
  const acceptance = p.acceptance ?? acNext();
  const opponentSide = otherSide(valuation.side);
  // Offers received, by our round count when each arrived (one per round: asking twice about the
  // same round overwrites, so repeated guard evaluation changes nothing).
  const seen = new Map<number, Terms>();
  const history = (): Terms[] => [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);

  const offersFor = (view: SessionView, incoming?: Terms): readonly Terms[] => {
    if (view.theirOffers) {
      return incoming && view.theirOffers.at(-1) !== incoming
        ? [...view.theirOffers, incoming]
        : view.theirOffers;
    }
    const latest = incoming ?? view.theirLast;
    if (latest) seen.set(view.round, latest);
    return history();
  };

  // The machine asks for the same bid twice per turn (AC_next in `accept`, then `propose`).
  let memo: { key: string; offers: readonly Terms[]; myLast: Terms | undefined; bid: Bid } | undefined;
  const bidFor = (view: SessionView, offers: readonly Terms[]): Bid => {
    const reservationUtility = clamp(valuation.reservationUtility(rfq), 0, 1);
    // The reservation is part of the key: a model may move it between two calls.
    const key = `${view.round}|${view.maxRounds}|${view.elapsed}|${reservationUtility}|${valuation.reservationRateBps(rfq)}`;
    if (
      memo &&
      memo.key === key &&
      memo.myLast === view.myLast &&
      memo.offers.length === offers.length &&
      memo.offers.at(-1) === offers.at(-1)
    )
      return memo.bid;
    const t = progress(view);
    const opponent = p.opponentModel
      ? p.opponentModel.estimate({ space: valuation.space, side: opponentSide, offers })
      : uniformOpponent(opponentSide);
    const lastU = view.myLast ? valuation.utility(view.myLast) : undefined;
    let target = clamp(
      p.target({ view, t, valuation, rfq, reservationUtility, theirOffers: offers, opponent }),
      reservationUtility,
      1,
    );
    // Concessions are monotone: never ask for more than last time, unless the reservation rose.
    if (lastU !== undefined) target = Math.max(reservationUtility, Math.min(target, lastU));
    let bid = isoUtilityBid({
      valuation,
      rfq,
      target,
      opponent,
      ...(p.window === undefined ? {} : { window: p.window }),
      ...(p.grid === undefined ? {} : { grid: p.grid }),
      ...(lastU === undefined ? {} : { ceiling: lastU }),
    });
    // No grid bid between the target and our last bid: repeat the last bid if it still holds.
    if (
      view.myLast &&
      lastU !== undefined &&
      bid.utility > lastU &&
      lastU >= target &&
      withinReservation(valuation, rfq, view.myLast)
    ) {
      const values = issueValues(valuation.space, view.myLast);
      bid = { terms: view.myLast, utility: lastU, opponentUtility: opponent.utilityOf(values) };
    }
    memo = { key, offers, myLast: view.myLast, bid };
    return bid;
  };

  return {
    name: p.name,
    valuation,
    bid: (view) => bidFor(view, offersFor(view)),
    propose: (view) => bidFor(view, offersFor(view)).terms,
    accept(view, theirs) {
      const offers = offersFor(view, theirs);
      if (!withinReservation(valuation, rfq, theirs)) return false;
      const u = (t: Terms) => valuation.utility(t);
      return acceptance({
        offered: u(theirs),
        myNext: bidFor(view, offers).utility,
        myLast: view.myLast ? u(view.myLast) : undefined,
        theirEarlier: offers.slice(0, -1).map(u),
        t: progress(view),
      });
    },
  };
}
