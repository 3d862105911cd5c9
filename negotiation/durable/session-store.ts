/**
 * Open negotiation sessions, so a restarted agent can resume them: one record per (session,
 * peer) (an RFQ session has one per lender), holding our role, the round, the last offer each way
 * and the last agreement we signed. Updates are compare-and-swap read-modify-writes.
 */
import type { KV } from "@nats-io/kv";
import type { Address, Hex } from "viem";
import { z } from "zod";
import { AgreementSchema } from "../../core/agreement.ts";
import { address, bytes32, signature, smallUint } from "../../core/schema.ts";
import type { Clock } from "../endpoint.ts";
import { RfqBodySchema, TermsSchema } from "../wire/schemas.ts";
import { InvalidKeyError } from "./errors.ts";
import { bucketName, bytes32Key, casUpdate, listKeys, readRecord } from "./kv-record.ts";

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

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function createSessionStore(params: CreateSessionStoreParameters): SessionStore {
  const { kv } = params;
  const bucket = bucketName(kv);
  const clock = params.clock ?? { now: () => Date.now() };
  const keyOf = (sessionId: Hex, peer: string) => {
    if (!ADDRESS.test(peer))
      throw new InvalidKeyError({ what: "peer", value: peer, expected: "a 0x address" });
    return `${bytes32Key("sessionId", sessionId)}.${peer.toLowerCase()}`;
  };
  const stamp = (s: SessionState): SessionRecord => ({ ...s, v: 1, updatedAt: clock.now() });

  return {
    async put(state) {
      const result = await casUpdate({
        kv,
        bucket,
        key: keyOf(state.sessionId, state.peer),
        schema: SessionRecordSchema,
        change: () => stamp(state),
      });
      return result.value!;
    },
    async update(sessionId, peer, change) {
      const result = await casUpdate({
        kv,
        bucket,
        key: keyOf(sessionId, peer),
        schema: SessionRecordSchema,
        change: (current) => (current ? stamp(change(current)) : undefined),
      });
      return result.value;
    },
    async get(sessionId, peer) {
      return (await readRecord(kv, bucket, keyOf(sessionId, peer), SessionRecordSchema)).value;
    },
    async list() {
      const out: SessionRecord[] = [];
      for (const key of await listKeys(kv)) {
        const { value } = await readRecord(kv, bucket, key, SessionRecordSchema);
        if (value) out.push(value);
      }
      return out;
    },
    async remove(sessionId, peer) {
      await kv.purge(keyOf(sessionId, peer));
    },
  };
}
