/**
 * A host's short memory of the sessions and auctions it has ended, so that a late `offer` or
 * `accept` in one gets an explicit `reject` (docs/PROTOCOL.md §7.3) instead of silence: a lender
 * whose first offer reaches a borrower just after its auction ended learns "admission-closed" and
 * does not wait out its deadline. Entries live `memoryMs` and at most `capacity` are kept (the
 * oldest go first), so a flood of sessions cannot grow it.
 */

export type EndedSessions<T> = {
  remember(key: string, value: T): void;
  /** The value remembered under `key`, unless it has expired or was evicted. */
  recall(key: string): T | undefined;
  readonly size: number;
};

export type CreateEndedSessionsParameters = {
  memoryMs: number;
  /** Default 4096. */
  capacity?: number;
  now: () => number;
};

export function createEndedSessions<T>(p: CreateEndedSessionsParameters): EndedSessions<T> {
  const capacity = p.capacity ?? 4096;
  // Insertion order is expiry order (every entry lives memoryMs), so the oldest is always first.
  const entries = new Map<string, { until: number; value: T }>();
  const prune = (now: number) => {
    for (const [k, e] of entries) {
      if (e.until > now && entries.size <= capacity) break;
      entries.delete(k);
    }
  };
  return {
    remember(key, value) {
      if (p.memoryMs <= 0) return;
      const now = p.now();
      entries.delete(key);
      entries.set(key, { until: now + p.memoryMs, value });
      prune(now);
    },
    recall(key) {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      if (e.until <= p.now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    get size() {
      return entries.size;
    },
  };
}
