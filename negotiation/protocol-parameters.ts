/**
 * The numbers a compatible peer has to know about ours, with their defaults, in one place: what we
 * accept (sizes, expiries, settlement windows), how long we wait (admission window, deadlines,
 * confirm timeouts) and what we send (message lifetime, settlement window). The hosts' and the
 * endpoint's option defaults are these values; an agent may override any of them (its options of
 * the same name). docs/PROTOCOL.md §9 lists every one by this name with its default (a test
 * compares the table with this object).
 */
export const PROTOCOL_PARAMETERS = {
  // ─── Every message (endpoint) ───
  /** Largest encoded message accepted, bytes. */
  maxMessageBytes: 16 * 1024,
  /** Lifetime we give our messages: expiry = now + this, ms. */
  messageTtlMs: 30_000,
  /** Inbound messages whose expiry lies further ahead are refused (ExpiryTooFar), ms. */
  maxTtlMs: 5 * 60_000,
  /** Authenticated messages accepted per peer per second, on average (token bucket). */
  rateLimitPerSecond: 1_000,
  /** ... in bursts of at most this many. */
  rateLimitBurst: 2_000,

  // ─── Bilateral sessions (alternating offers), either side ───
  /** Offers each side may make in a session before it gives up ("rounds-exhausted"). */
  maxRounds: 4,
  /** Wall-time budget of a session from its start (a lender's: the RFQ's arrival), ms. */
  deadlineMs: 10_000,
  /** How long the side that sent `accept` waits for the `confirm`, ms (then: unconfirmed). */
  confirmTimeoutMs: 5_000,

  // ─── Agreements ───
  /** The deadline we put in an Agreement we build: now + this, unix seconds. */
  settlementWindowSec: 600,
  /** The latest deadline we countersign: an accepted Agreement's deadline must satisfy
   *  now < deadline <= now + this (our settlement chain's clock, seconds). */
  maxSettlementWindowSec: 1_200,

  // ─── Open RFQ auctions (borrower side) ───
  /** How long after its RFQ is published the borrower admits lenders' first offers, ms. A first
   *  offer after it is refused ("admission-closed"). */
  admissionMs: 300,
  /** Wall time of a whole auction from its RFQ's publishing, ms. */
  auctionDeadlineMs: 10_000,
  /** How long a host remembers an ended session or auction, to answer a late `offer` or `accept`
   *  in it with a `reject` instead of silence, ms. */
  endedSessionMemoryMs: 60_000,

  // ─── Agents ───
  /** How often an agent looks at its protocol, ms: a borrower whose auction ended without a deal
   *  (no offer in the admission window, say) asks again, in a new session, this long after. */
  pollMs: 1_000,

  // ─── Sealed-bid RFQs ───
  /** Borrower: commitments are due this long after the sealed RFQ is sent (commitBy), ms. */
  commitMs: 2_000,
  /** Borrower: reveals are due this long after commitBy (revealBy), ms. */
  revealMs: 2_000,
  /** Lender: no commit later than this before commitBy, ms. */
  commitMarginMs: 200,
  /** Lender: reveal this long after commitBy (at most half the reveal window), ms. */
  revealDelayMs: 500,
  /** Lender: how long after revealBy it waits for the award, ms. */
  awardTimeoutMs: 5_000,
} as const;

export type ProtocolParameter = keyof typeof PROTOCOL_PARAMETERS;
