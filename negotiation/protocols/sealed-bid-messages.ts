/**
 * Message bodies of the sealed-bid RFQ mode (a proposal for wire v0; the wire module integrates
 * them). A sealed RFQ is an ordinary `rfq` body plus an `auction` field with the two deadlines.
 * Lenders answer with `commit` (a hash of their bid) before `commitBy`, then `reveal` (the bid
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
import { z } from "zod";
import { bytes32, smallUint } from "../../core/schema.ts";
import { canonicalJson } from "../wire/canonical.ts";
import { hashCanonical } from "../wire/envelope-hash.ts";
import { RfqBodySchema, type Terms, TermsSchema } from "../wire/schemas.ts";

export const SEALED_BID_KINDS = ["commit", "reveal"] as const;
export type SealedBidKind = (typeof SEALED_BID_KINDS)[number];

const unixMs = smallUint(Number.MAX_SAFE_INTEGER);

export const SealedAuctionSchema = z
  .strictObject({
    mode: z.literal("sealed"),
    /** Commitments must arrive by this unix time, ms. */
    commitBy: unixMs,
    /** Reveals must arrive by this unix time, ms (after commitBy). */
    revealBy: unixMs,
  })
  .refine((a) => a.revealBy > a.commitBy, { message: "revealBy must be after commitBy", path: ["revealBy"] });

/** An `rfq` body that asks for sealed bids. */
export const SealedRfqBodySchema = RfqBodySchema.extend({ auction: SealedAuctionSchema });

export const CommitBodySchema = z.strictObject({
  /** keccak256 of the bid's canonical preimage (module comment). */
  commitment: bytes32,
});

export const RevealBodySchema = z.strictObject({
  terms: TermsSchema,
  /** 32 random bytes chosen by the lender when it committed. */
  salt: bytes32,
});

export const SealedBidBodySchemas = { commit: CommitBodySchema, reveal: RevealBodySchema } as const;

export type SealedAuction = z.output<typeof SealedAuctionSchema>;
export type SealedRfqBody = z.output<typeof SealedRfqBodySchema>;
export type CommitBody = z.output<typeof CommitBodySchema>;
export type RevealBody = z.output<typeof RevealBodySchema>;

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
