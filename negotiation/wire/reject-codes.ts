/**
 * The reason codes a `reject` carries (its `code` field, docs/PROTOCOL.md §4 and the table in §7.3):
 * one per refusal path, so a peer can tell "your accept's callRiskLevel is not what we offered"
 * from "your first offer came after the admission window" without parsing prose. The `reason`
 * text stays for people (and names the field or the window); the code is for programs.
 *
 * Versioning: the codes belong to wire v0. New codes may be added to v0; a code's meaning never
 * changes within a version. A receiver must accept a well-formed code it does not know and treat
 * it as an unexplained refusal (so the schema checks the format, not membership in this table).
 * Every reject our agents send carries a code from this table (the outbound types require one).
 */

/** Code → when it is sent. docs/PROTOCOL.md's reason-code table lists exactly these (a test checks). */
export const REJECT_CODES = {
  // A bilateral session (either side).
  deadline: "the session's wall-time deadline passed before agreement",
  "rounds-exhausted": "we have made all our offers and the counterparty's latest is not acceptable",
  "accept-without-offer": "an `accept` arrived while we have no offer out that it could accept",
  "agreement-mismatch":
    "an `accept`'s Agreement differs from our last offer or the session in a field (the reason names it); also a sealed bid's award that differs from the revealed bid",
  "agreement-deadline":
    "an `accept`'s Agreement has a deadline outside our settlement window (the reason gives the window)",
  "agreement-signature": "an `accept`'s signature does not recover to the counterparty in its role",
  "session-ended": "an `offer` or `accept` in a session of ours that has already ended",
  // An open RFQ auction (borrower → lenders).
  "admission-closed":
    "a lender's first `offer` arrived after the auction's admission window, or after the auction ended",
  "auction-full": "the borrower's cap on lenders (or sealed bidders) was reached",
  "closed-elsewhere": "the borrower has signed, or is signing, with another lender",
  "auction-deadline": "the auction's wall-time deadline passed while this lender's session was open",
  "borrower-aborted": "the borrower called the auction off",
  // A sealed-bid RFQ (borrower → lenders).
  "sealed-only": "an `offer` or `accept` in a sealed auction's session: answer with `commit` and `reveal`",
  "late-commit": "a `commit` arrived after `commitBy`",
  "early-reveal": "a `reveal` arrived before `commitBy`",
  "no-commitment": "a `reveal` from a lender that never committed",
  "commitment-mismatch": "the `reveal` does not open the commitment",
  "unacceptable-terms": "the revealed bid is outside the borrower's reservation",
  unrevealed: "committed but not revealed by `revealBy` (or revealed after the award)",
  outbid: "a valid sealed bid that lost to a better one",
} as const;

export type RejectCode = keyof typeof REJECT_CODES;
export const REJECT_CODE_LIST = Object.keys(REJECT_CODES) as RejectCode[];

/** The format of a code on the wire: lowercase words joined by hyphens, at most 48 characters. */
export const REJECT_CODE_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const MAX_REJECT_CODE_LENGTH = 48;

export function isRejectCode(code: string | undefined): code is RejectCode {
  return code !== undefined && Object.hasOwn(REJECT_CODES, code);
}
