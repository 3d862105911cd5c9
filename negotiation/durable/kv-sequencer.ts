/**
 * A durable Sequencer: seq numbers per session that keep growing across restarts, so peers never
 * refuse a restarted agent's messages as replays (stale seq).
 *
 * Numbers are leased in blocks: the bucket holds, per session, `next` = the first number not yet
 * leased. Before handing out numbers the sequencer raises it by `blockSize` with compare-and-swap,
 * so a number is never handed out twice, even by two processes at once. A restart skips the unused
 * rest of a block (at most `blockSize - 1` numbers); seq only has to grow, gaps are fine.
 *
 * `next` is synchronous while the current block lasts and a Promise when a lease must be written
 * (the first number of each session, then every `blockSize`). Calls of one session resolve in call
 * order, which is the order the endpoint sends them in.
 */
import type { KV } from "@nats-io/kv";
import type { Hex } from "viem";
import { z } from "zod";
import { smallUint } from "../../core/schema.ts";
import type { Sequencer } from "../endpoint.ts";
import { DurableConflictError } from "./errors.ts";
import { bucketName, bytes32Key, encodeRecord, isCasConflict, readRecord, writeRecord } from "./kv-record.ts";

export const SequenceLeaseSchema = z.strictObject({
  v: z.literal(1),
  /** First seq number not yet leased to any process. */
  next: smallUint(0xffffffff),
});
export type SequenceLease = z.output<typeof SequenceLeaseSchema>;

export type CreateKvSequencerParameters = {
  /** A bucket owned by one agent (see openDurableState): keys are session ids. */
  kv: KV;
  /** Numbers leased per KV write. Default 16: a negotiation rarely needs a second lease. */
  blockSize?: number;
};

export interface KvSequencer extends Sequencer {
  next(sessionId: Hex): number | Promise<number>;
  forget(sessionId: Hex): Promise<void>;
}

type SessionState = {
  next: number;
  limit: number;
  /** Revision of our last lease write; 0 when unknown (then it is read first). */
  revision: number;
  /** Calls waiting for a lease; while > 0 every call queues behind them. */
  waiting: number;
  tail: Promise<unknown>;
};

const UINT32_MAX = 0xffffffff;

export function createKvSequencer(params: CreateKvSequencerParameters): KvSequencer {
  const { kv } = params;
  const bucket = bucketName(kv);
  const blockSize = params.blockSize ?? 16;
  if (!Number.isInteger(blockSize) || blockSize < 1)
    throw new RangeError("blockSize must be a positive integer");
  const sessions = new Map<string, SessionState>();

  const lease = async (key: string, s: SessionState) => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      let stored = s.revision === 0 ? undefined : s.limit;
      let revision = s.revision;
      if (stored === undefined) {
        const current = await readRecord(kv, bucket, key, SequenceLeaseSchema);
        stored = current.value?.next ?? 0;
        revision = current.revision;
      }
      const from = Math.max(stored, s.limit, s.next);
      const limit = Math.min(from + blockSize, UINT32_MAX + 1);
      if (from > UINT32_MAX) throw new RangeError(`session ${key} ran out of uint32 seq numbers`);
      try {
        const data = encodeRecord(bucket, key, SequenceLeaseSchema, { v: 1, next: limit });
        s.revision = await writeRecord(kv, key, data, revision);
        s.next = from;
        s.limit = limit;
        return;
      } catch (err) {
        if (!isCasConflict(err)) throw err;
        s.revision = 0; // someone else wrote: read again
      }
    }
    throw new DurableConflictError({ bucket, key, attempts: 20 });
  };

  const state = (key: string): SessionState => {
    let s = sessions.get(key);
    if (!s) {
      s = { next: 0, limit: 0, revision: 0, waiting: 0, tail: Promise.resolve() };
      sessions.set(key, s);
    }
    return s;
  };

  return {
    next(sessionId) {
      const key = bytes32Key("sessionId", sessionId);
      const s = state(key);
      if (s.waiting === 0 && s.next < s.limit) return s.next++;
      s.waiting++;
      const result = s.tail.then(async () => {
        try {
          if (s.next >= s.limit) await lease(key, s);
          return s.next++;
        } finally {
          s.waiting--;
        }
      });
      s.tail = result.catch(() => {});
      return result;
    },
    async forget(sessionId) {
      const key = bytes32Key("sessionId", sessionId);
      const s = sessions.get(key);
      sessions.delete(key);
      await s?.tail;
      await kv.purge(key);
    },
  };
}
