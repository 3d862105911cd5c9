/**
 * Open negotiation sessions, so a restarted agent can resume them: one record per (session,
 * peer) (an RFQ session has one per lender), holding our role, the round, the last offer each way
 * and the last agreement we signed. Updates are compare-and-swap read-modify-writes.
 */
import type { KV } from "@nats-io/kv";
import type { Address, Hex } from "viem";
import { z } from "zod";
import { AgreementSchema } from "../../core/agreement.ts";
import { ADDRESS_PATTERN } from "../../core/formats.ts";
import { address, bytes32, signature, smallUint } from "../../core/schema.ts";
import type { Clock } from "../endpoint.ts";
import { RfqBodySchema, TermsSchema } from "../wire/schemas.ts";
import { InvalidKeyError } from "./errors.ts";
import { bytes32Key, createKeyedRecords } from "./kv-record.ts";

const timestamp = smallUint(Number.MAX_SAFE_INTEGER);

export const SessionRecordSchema = z.strictObject({
  v: z.literal(1),
  sessionId: bytes32,
  role: z.enum(["lender", "borrower"]),
  peer: address,
  principalToken: address,
  /** The RFQ the session answers, so a restarted agent can rebuild its strategy. */
  rfq: RfqBodySchema.optional(),
  /** Offers exchanged so far (ours and theirs). */
  round: smallUint(0xffffffff),
  lastOfferSent: TermsSchema.optional(),
  lastOfferReceived: TermsSchema.optional(),
  /** The last agreement we signed in this session, with our signature. */
  myLastAgreement: z.strictObject({ agreement: AgreementSchema, signature }).optional(),
  /** Wall-clock deadline of the negotiation (unix ms), if any. */
  deadline: timestamp.optional(),
  updatedAt: timestamp,
});
export type SessionRecord = z.output<typeof SessionRecordSchema>;
/** What callers write; the store sets `v` and `updatedAt`. */
export type SessionState = Omit<SessionRecord, "v" | "updatedAt">;

export type CreateSessionStoreParameters = { kv: KV; clock?: Clock };

export interface SessionStore {
  /** Creates or replaces the record of (sessionId, peer). */
  put(state: SessionState): Promise<SessionRecord>;
  /** Read-modify-write by compare-and-swap; `change` may run more than once. Resolves to
   *  undefined (and writes nothing) when the session is not stored. */
  update(
    sessionId: Hex,
    peer: Address,
    change: (current: SessionRecord) => SessionState,
  ): Promise<SessionRecord | undefined>;
  get(sessionId: Hex, peer: Address): Promise<SessionRecord | undefined>;
  /** Every stored (open) session. */
  list(): Promise<SessionRecord[]>;
  /** Forgets a finished session. */
  remove(sessionId: Hex, peer: Address): Promise<void>;
}

export function createSessionStore(params: CreateSessionStoreParameters): SessionStore {
  const records = createKeyedRecords<typeof SessionRecordSchema, SessionState>({
    kv: params.kv,
    schema: SessionRecordSchema,
    ...(params.clock ? { clock: params.clock } : {}),
  });
  const keyOf = (sessionId: Hex, peer: string) => {
    if (!ADDRESS_PATTERN.test(peer))
      throw new InvalidKeyError({ what: "peer", value: peer, expected: "a 0x address" });
    return `${bytes32Key("sessionId", sessionId)}.${peer.toLowerCase()}`;
  };
  return {
    put: async (state) => records.put(keyOf(state.sessionId, state.peer), state),
    update: async (sessionId, peer, change) => records.update(keyOf(sessionId, peer), change),
    get: async (sessionId, peer) => records.get(keyOf(sessionId, peer)),
    list: () => records.list(),
    remove: async (sessionId, peer) => records.remove(keyOf(sessionId, peer)),
  };
}
