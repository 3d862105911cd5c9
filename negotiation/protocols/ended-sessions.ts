/**
 * A host's short memory of the sessions and auctions it has ended, so that a late `offer` or
 * `accept` in one gets an explicit `reject` (docs/PROTOCOL.md §7.3) instead of silence: a lender
 * whose first offer reaches a borrower just after its auction ended learns "admission-closed" and
 * does not wait out its deadline. Entries live `memoryMs` and at most `capacity` are kept (the
 * oldest go first), so a flood of sessions cannot grow it.
 *
 * Every session ends through here, so it is on the per-negotiation path: an entry is a number (its
 * expiry) under the session's key, a value is stored only when there is one, and expired entries
 * are swept in batches, not on every call.
 */

export type EndedSessions<T> = {
  /** Remembers that `key` ended, with `value` if given. */
  remember(key: string, value?: T): void;
  /** Whether `key` ended lately, and its value if it had one. */
  recall(key: string): { value: T | undefined } | undefined;
  readonly size: number;
};

export type CreateEndedSessionsParameters = {
  memoryMs: number;
  /** Default 4096. */
  capacity?: number;
  now: () => number;
};

const SWEEP_EVERY = 256;

export function createEndedSessions<T>(p: CreateEndedSessionsParameters): EndedSessions<T> {
  const capacity = p.capacity ?? 4096;
  // Insertion order is expiry order (every entry lives memoryMs), so the oldest is always first.
  const until = new Map<string, number>();
  const values = new Map<string, T>();
  let sinceSweep = 0;
  const sweep = (now: number) => {
    sinceSweep = 0;
    for (const [k, t] of until) {
      if (t > now && until.size <= capacity) break;
      until.delete(k);
      values.delete(k);
    }
  };
  return {
    remember(key, value) {
      if (p.memoryMs <= 0) return;
      const now = p.now();
      until.delete(key);
      until.set(key, now + p.memoryMs);
      if (value !== undefined) values.set(key, value);
      if (++sinceSweep >= SWEEP_EVERY || until.size > capacity) sweep(now);
    },
    recall(key) {
      const t = until.get(key);
      if (t === undefined) return undefined;
      if (t <= p.now()) {
        until.delete(key);
        values.delete(key);
        return undefined;
      }
      return { value: values.get(key) };
    },
    get size() {
      return until.size;
    },
  };
}
