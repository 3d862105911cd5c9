/**
 * Replay protection with bounded memory. A message is a replay if its (from, nonce) was seen, or
 * its seq is not above the last accepted seq of (from, sessionId). Entries are dropped once the
 * message they remember has expired: from then on the expiry check refuses it anyway, so
 * forgetting is safe. Memory is bounded by (message rate x max TTL) and by `maxEntries`.
 *
 * `check` never mutates; `record` is called only after every other check passed, so a message
 * refused for any reason leaves no trace (a forged copy cannot burn the real message's nonce).
 */
import type { Address, Hex } from "viem";
import { ReplayCacheFullError, ReplayError } from "./errors.ts";

export type ReplayKey = { from: Address; sessionId: Hex; seq: number; nonce: Hex; expiry: number };

export interface ReplayCache {
  /** Throws ReplayError (or ReplayCacheFullError) if `m` must be refused. `now` in unix ms. */
  check(m: ReplayKey, now: number): void;
  /** Remembers an accepted message until its expiry. */
  record(m: ReplayKey, now: number): void;
  /** Live entries (nonces + sessions). */
  readonly size: number;
  /** Durable caches only (negotiation/durable): makes a recorded entry survive a restart. The
   *  endpoint awaits it before handing the message to handlers. Rejects with ReplayError when
   *  another process recorded the message first, ReplayStoreUnavailableError when the store fails. */
  commit?(m: ReplayKey, now: number): Promise<void>;
}

export type CreateReplayCacheParameters = { maxEntries?: number };

type Timer = { at: number; kind: 0 | 1; key: string };

export function createReplayCache(params: CreateReplayCacheParameters = {}): ReplayCache {
  const maxEntries = params.maxEntries ?? 1_000_000;
  const nonces = new Map<string, number>();
  const sessions = new Map<string, { seq: number; expiry: number }>();
  // Min-heap of expiries; session entries get a new timer whenever their expiry grows, stale
  // timers are skipped when popped.
  const heap: Timer[] = [];

  const push = (t: Timer) => {
    heap.push(t);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]!.at <= t.at) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = t;
  };

  const pop = (): Timer => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && heap[r]!.at < heap[l]!.at ? r : l;
        if (heap[c]!.at >= last.at) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };

  // A message is live while now <= expiry.
  const prune = (now: number) => {
    while (heap.length > 0 && heap[0]!.at < now) {
      const t = pop();
      if (t.kind === 0) {
        const at = nonces.get(t.key);
        if (at !== undefined && at < now) nonces.delete(t.key);
      } else {
        const s = sessions.get(t.key);
        if (s && s.expiry < now) sessions.delete(t.key);
      }
    }
  };

  const nonceKey = (m: ReplayKey) => `${m.from}:${m.nonce}`;
  const sessionKey = (m: ReplayKey) => `${m.from}:${m.sessionId}`;
  // record() follows check() for the same message: it reuses the keys check() built.
  let checked: ReplayKey | undefined;
  let checkedNonceKey = "";
  let checkedSessionKey = "";

  return {
    check(m, now) {
      prune(now);
      checked = undefined;
      const nk = nonceKey(m);
      if (nonces.has(nk)) throw new ReplayError({ reason: "duplicate-nonce", seq: m.seq });
      const sk = sessionKey(m);
      const s = sessions.get(sk);
      if (s && m.seq <= s.seq) throw new ReplayError({ reason: "stale-seq", seq: m.seq, lastSeq: s.seq });
      if (nonces.size + sessions.size + (s ? 1 : 2) > maxEntries)
        throw new ReplayCacheFullError({ max: maxEntries });
      checked = m;
      checkedNonceKey = nk;
      checkedSessionKey = sk;
    },
    record(m, now) {
      prune(now);
      const same = m === checked;
      checked = undefined;
      const nk = same ? checkedNonceKey : nonceKey(m);
      nonces.set(nk, m.expiry);
      push({ at: m.expiry, kind: 0, key: nk });
      const sk = same ? checkedSessionKey : sessionKey(m);
      const s = sessions.get(sk);
      if (!s) {
        sessions.set(sk, { seq: m.seq, expiry: m.expiry });
        push({ at: m.expiry, kind: 1, key: sk });
      } else {
        s.seq = Math.max(s.seq, m.seq);
        if (m.expiry > s.expiry) {
          s.expiry = m.expiry;
          push({ at: m.expiry, kind: 1, key: sk });
        }
      }
    },
    get size() {
      return nonces.size + sessions.size;
    },
  };
}
