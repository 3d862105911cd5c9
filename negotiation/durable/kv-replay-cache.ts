/**
 * Replay protection that survives a restart. Checks run against an in-memory replay cache (the
 * same rules as negotiation/wire/replay-cache.ts: duplicate nonce, seq not above the last
 * accepted of (from, sessionId), forget after expiry). Each accepted message is then committed to
 * a KV bucket, one key per (sender, session) holding the last accepted seq and nonce and the
 * latest expiry, by compare-and-swap: when two processes of one agent (an old one and its
 * restarted successor) receive the same message, exactly one commit wins and the other refuses
 * it as a Replay. A restarted process `load()`s the live entries before it starts receiving.
 *
 * Bounded by expiry: `load` skips entries whose messages all expired, and the bucket's max age
 * (openDurableState sets twice the maximum message TTL) deletes them from the server.
 */
import type { KV } from "@nats-io/kv";
import type { Hex } from "viem";
import { z } from "zod";
import { address, bytes32, smallUint } from "../../core/schema.ts";
import { ReplayError, ReplayStoreUnavailableError, WireError } from "../wire/errors.ts";
import {
  type CreateReplayCacheParameters,
  createReplayCache,
  type ReplayCache,
  type ReplayKey,
} from "../wire/replay-cache.ts";
import { DurableConflictError } from "./errors.ts";
import {
  bucketName,
  encodeRecord,
  isCasConflict,
  listKeys,
  parseRecord,
  readRecord,
  writeRecord,
} from "./kv-record.ts";

export const ReplayRecordSchema = z.strictObject({
  v: z.literal(1),
  from: address,
  sessionId: bytes32,
  /** Last accepted seq of (from, sessionId). */
  seq: smallUint(0xffffffff),
  /** Nonce of that message. */
  nonce: bytes32,
  /** Latest expiry (unix ms) of the session's accepted messages: the entry matters until then. */
  expiry: smallUint(Number.MAX_SAFE_INTEGER),
});
export type ReplayRecord = z.output<typeof ReplayRecordSchema>;

export type CreateKvReplayCacheParameters = CreateReplayCacheParameters & {
  /** A bucket owned by one agent (see openDurableState). */
  kv: KV;
};

export interface KvReplayCache extends ReplayCache {
  /** Loads the live entries (expiry >= now) into memory; call once before receiving. Returns how
   *  many were loaded. */
  load(now: number): Promise<number>;
  /** Stores an accepted message's entry; see ReplayCache.commit. */
  commit(m: ReplayKey, now: number): Promise<void>;
}

/** `<sender lowercase>.<sessionId lowercase>`: both are hex, so the key needs no escaping. */
export function replayKeyOf(m: { from: string; sessionId: Hex }): string {
  return `${m.from.toLowerCase()}.${m.sessionId.toLowerCase()}`;
}

export function createKvReplayCache(params: CreateKvReplayCacheParameters): KvReplayCache {
  const { kv } = params;
  const bucket = bucketName(kv);
  const memory = createReplayCache(params.maxEntries === undefined ? {} : { maxEntries: params.maxEntries });
  // Revisions of our own last writes, so a commit usually costs one KV write and no read; a stale
  // revision only costs a CAS conflict and a re-read. Bounded by clearing.
  const revisions = new Map<string, number>();
  // Commits to one key run one after another (they would only conflict with each other).
  const tails = new Map<string, Promise<unknown>>();

  const commitOnce = async (key: string, m: ReplayKey, now: number): Promise<void> => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      let revision = revisions.get(key);
      let stored: ReplayRecord | undefined;
      if (revision === undefined) {
        const current = await readRecord(kv, bucket, key, ReplayRecordSchema);
        revision = current.revision;
        stored = current.value;
        // Entries whose messages all expired are forgotten, as in memory.
        if (stored && stored.expiry < now) stored = undefined;
        if (stored) {
          if (stored.nonce === m.nonce.toLowerCase())
            throw new ReplayError({ reason: "duplicate-nonce", seq: m.seq });
          if (m.seq <= stored.seq)
            throw new ReplayError({ reason: "stale-seq", seq: m.seq, lastSeq: stored.seq });
        }
      }
      const record: ReplayRecord = {
        v: 1,
        from: m.from,
        sessionId: m.sessionId,
        seq: m.seq,
        nonce: m.nonce,
        expiry: Math.max(m.expiry, stored?.expiry ?? 0),
      };
      try {
        const next = await writeRecord(
          kv,
          key,
          encodeRecord(bucket, key, ReplayRecordSchema, record),
          revision,
        );
        if (revisions.size >= 10_000) revisions.clear();
        revisions.set(key, next);
        return;
      } catch (err) {
        revisions.delete(key);
        if (!isCasConflict(err)) throw err;
      }
    }
    throw new DurableConflictError({ bucket, key, attempts: 20 });
  };

  return {
    check: (m, now) => memory.check(m, now),
    record: (m, now) => memory.record(m, now),
    get size() {
      return memory.size;
    },
    async load(now) {
      let loaded = 0;
      for (const key of await listKeys(kv)) {
        const entry = await kv.get(key);
        if (entry?.operation !== "PUT") continue;
        const r = parseRecord(bucket, key, ReplayRecordSchema, entry.value);
        if (r.expiry < now) continue;
        // Restores both the session's last seq and the last nonce.
        memory.record(r, now);
        revisions.set(key, entry.revision);
        loaded++;
      }
      return loaded;
    },
    commit(m, now) {
      const key = replayKeyOf(m);
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(() => commitOnce(key, m, now));
      const tail = result.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result.catch((err: unknown) => {
        const e = err instanceof WireError ? err : new ReplayStoreUnavailableError({ cause: err });
        e.context = { from: m.from, sessionId: m.sessionId, seq: m.seq };
        throw e;
      });
    },
  };
}
