/**
 * Running RFQ auctions (borrower side), so a restarted agent can resume them: one record per
 * auction (its session id), holding the RFQ, when it started and its limits (so its deadline and
 * admission window hold across a restart), whether admission is closed, whether the RFQ is known
 * to have left, and each lender's part: the round, the last offer each way, whose move it is,
 * what we signed with it and how it ended.
 * Writes are compare-and-swap read-modify-writes.
 */
import type { KV } from "@nats-io/kv";
import type { Hex } from "viem";
import { z } from "zod";
import { AgreementSchema } from "../../core/agreement.ts";
import { address, bytes32, signature, smallUint } from "../../core/schema.ts";
import type { Clock } from "../endpoint.ts";
import { RfqBodySchema, TermsSchema } from "../wire/schemas.ts";
import { bytes32Key, createKeyedRecords } from "./kv-record.ts";

const timestamp = smallUint(Number.MAX_SAFE_INTEGER);

export const LENDER_ENDS = ["won", "outbid", "failed", "late"] as const;

/** Most lenders an auction record holds (a record stays well under the KV's 1 MB message cap). */
export const MAX_AUCTION_LENDERS = 256;

export const AuctionLenderRecordSchema = z.strictObject({
  lender: address,
  /** When it joined the auction (unix ms). */
  joinedAt: timestamp,
  /** Offers we made to it. */
  round: smallUint(0xffffffff),
  lastOfferSent: TermsSchema.optional(),
  lastOfferReceived: TermsSchema.optional(),
  /** Its last offer is waiting for our answer. */
  ourMove: z.boolean(),
  /** What we signed with it: the agreement and our signature (written before our accept or
   *  confirm leaves), and its signature once we countersigned its accept. */
  signed: z
    .strictObject({ agreement: AgreementSchema, signature, theirSignature: signature.optional() })
    .optional(),
  /** How its part ended, once it has. */
  ended: z.strictObject({ end: z.enum(LENDER_ENDS), reason: z.string().max(1024) }).optional(),
});
export type AuctionLenderRecord = z.output<typeof AuctionLenderRecordSchema>;

export const AuctionRecordSchema = z.strictObject({
  v: z.literal(1),
  sessionId: bytes32,
  rfq: RfqBodySchema,
  /** When its RFQ left (unix ms), or when the auction started while `rfqSent` is false: either
   *  way it is over by `startedAt + deadlineMs`. */
  startedAt: timestamp,
  deadlineMs: timestamp,
  /** How long after the RFQ left new lenders are admitted, ms. */
  admissionMs: timestamp,
  admissionClosed: z.boolean(),
  /** Its RFQ is known to have been published. The record is written before the RFQ leaves
   *  (write-ahead) with `false`, and says `true` once it has; a restart that finds `false` cannot
   *  tell whether lenders saw the RFQ. Absent in records written before this field: sent. */
  rfqSent: z.boolean().optional(),
  lenders: z.array(AuctionLenderRecordSchema).max(MAX_AUCTION_LENDERS),
  updatedAt: timestamp,
});
export type AuctionRecord = z.output<typeof AuctionRecordSchema>;
/** What callers write; the store sets `v` and `updatedAt`. */
export type AuctionState = Omit<AuctionRecord, "v" | "updatedAt">;

export type CreateAuctionStoreParameters = { kv: KV; clock?: Clock };

export interface AuctionStore {
  /** Creates or replaces the record of an auction. */
  put(state: AuctionState): Promise<AuctionRecord>;
  /** Read-modify-write by compare-and-swap; `change` may run more than once. Resolves to
   *  undefined (and writes nothing) when the auction is not stored. */
  update(
    sessionId: Hex,
    change: (current: AuctionRecord) => AuctionState,
  ): Promise<AuctionRecord | undefined>;
  get(sessionId: Hex): Promise<AuctionRecord | undefined>;
  /** Every stored (running) auction. */
  list(): Promise<AuctionRecord[]>;
  /** Forgets a finished auction. */
  remove(sessionId: Hex): Promise<void>;
}

export function createAuctionStore(params: CreateAuctionStoreParameters): AuctionStore {
  const records = createKeyedRecords<typeof AuctionRecordSchema, AuctionState>({
    kv: params.kv,
    schema: AuctionRecordSchema,
    ...(params.clock ? { clock: params.clock } : {}),
  });
  const keyOf = (sessionId: Hex) => bytes32Key("sessionId", sessionId);
  return {
    put: async (state) => records.put(keyOf(state.sessionId), state),
    update: async (sessionId, change) => records.update(keyOf(sessionId), change),
    get: async (sessionId) => records.get(keyOf(sessionId)),
    list: () => records.list(),
    remove: async (sessionId) => records.remove(keyOf(sessionId)),
  };
}
