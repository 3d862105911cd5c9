/**
 * Message bodies of the sealed-bid RFQ mode (wire v0 kinds `commit` and `reveal`, and the `rfq`
 * body's optional `auction` field; schemas in wire/schemas.ts). A sealed RFQ is an ordinary `rfq`
 * body plus an `auction` field with the two deadlines. Lenders answer with `commit` (a hash of their bid) before `commitBy`, then `reveal` (the bid
 * and the salt) before `revealBy`. The award uses the existing `accept` / `confirm` / `reject`.
 *
 * commitment = keccak256(utf8(canonicalJson({
 *   kind: "liq.sealed-bid.v0", sessionId, lender, terms, salt })))
 * with `sessionId`, `lender`, `salt` and `terms.collateralToken` in lowercase hex, amounts as
 * decimal strings (canonical JSON as for body hashes, docs/PROTOCOL.md §5.3). Binding the session
 * and the lender's address stops a lender from copying another's commitment and reveal.
 */
import { randomBytes } from "node:crypto";
import { type Address, bytesToHex, type Hex } from "viem";
import type { z } from "zod";
import { canonicalJson } from "../wire/canonical.ts";
import { hashCanonical } from "../wire/envelope-hash.ts";
import {
  type CommitBody,
  CommitBodySchema,
  type RevealBody,
  RevealBodySchema,
  type RfqBody,
  RfqBodySchema,
  type SealedAuction,
  SealedAuctionSchema,
  type Terms,
} from "../wire/schemas.ts";

export const SEALED_BID_KINDS = ["commit", "reveal"] as const;
export type SealedBidKind = (typeof SEALED_BID_KINDS)[number];

// The schemas live with the rest of the wire protocol; re-exported here for the sealed-bid code.
export { CommitBodySchema, RevealBodySchema, SealedAuctionSchema };

/** An `rfq` body that asks for sealed bids. */
export const SealedRfqBodySchema = RfqBodySchema.extend({ auction: SealedAuctionSchema });

export const SealedBidBodySchemas = { commit: CommitBodySchema, reveal: RevealBodySchema } as const;

export type { CommitBody, RevealBody, SealedAuction };
export type SealedRfqBody = z.output<typeof SealedRfqBodySchema>;

/** The sealed-auction deadlines of an RFQ body, or undefined for an ordinary (open) RFQ. */
export function sealedAuctionOf(rfq: RfqBody): SealedAuction | undefined {
  return rfq.auction?.mode === "sealed" ? rfq.auction : undefined;
}

export type CommitmentParameters = { sessionId: Hex; lender: Address; terms: Terms; salt: Hex };

export const COMMITMENT_KIND = "liq.sealed-bid.v0";

/** The canonical preimage of a commitment (exposed for test vectors and other implementations). */
export function commitmentPreimage(p: CommitmentParameters): string {
  return canonicalJson({
    kind: COMMITMENT_KIND,
    sessionId: p.sessionId.toLowerCase(),
    lender: p.lender.toLowerCase(),
    terms: { ...p.terms, collateralToken: p.terms.collateralToken.toLowerCase() },
    salt: p.salt.toLowerCase(),
  });
}

export function commitmentOf(p: CommitmentParameters): Hex {
  return hashCanonical(commitmentPreimage(p));
}

/** A lender's sealed bid: what to send now (commit) and what to send after commitBy (reveal). */
export function sealBid(p: Omit<CommitmentParameters, "salt"> & { salt?: Hex }): {
  commit: CommitBody;
  reveal: RevealBody;
} {
  const salt = (p.salt ?? bytesToHex(randomBytes(32))).toLowerCase() as Hex;
  return { commit: { commitment: commitmentOf({ ...p, salt }) }, reveal: { terms: p.terms, salt } };
}
