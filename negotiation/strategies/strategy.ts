/**
 * The strategy interface every negotiator implements, split as in the ANAC/GENIUS "BOA"
 * architecture: a bidding part (`propose`) and an acceptance part (`accept`). Strategies are
 * pure: they see a snapshot of the session and return a decision; the session machine does I/O.
 *
 * A Strategy instance serves one session. Strategies that model the opponent read the offers
 * received so far from `SessionView.theirOffers`; when a host does not fill it, they rebuild it
 * from the `theirLast` of successive views (keyed by round, so asking twice changes nothing).
 */

/** The issues negotiated for one loan (amount, rate, tenor, collateral, haircut), as on the wire. */
export type { Terms } from "../wire/schemas.ts";

import type { Terms } from "../wire/schemas.ts";

export type Side = "lender" | "borrower";

export type SessionView = {
  side: Side;
  /** Offers this side has made so far (0 before its first). */
  round: number;
  maxRounds: number;
  /** Share of the wall-time deadline already used, in [0, 1]. */
  elapsed: number;
  myLast: Terms | undefined;
  theirLast: Terms | undefined;
  /** Every offer received in this session, oldest first (optional: hosts may not track it). */
  theirOffers?: readonly Terms[];
};

export interface Strategy {
  readonly name: string;
  /** The terms this side proposes next. */
  propose(view: SessionView): Terms;
  /** Whether to accept the counterparty's terms as they stand. */
  accept(view: SessionView, theirs: Terms): boolean;
}
