/**
 * Per-peer token buckets: each authenticated sender may send `perSecond` messages a second on
 * average, in bursts of up to `burst`. Checked after the signature (so a forger cannot spend a
 * real peer's budget) and before the replay record (so a throttled message can be sent again).
 */
export type RateLimit = { perSecond: number; burst: number };

export interface RateLimiter {
  /** Takes one token for `peer` at `now` (ms); false when its bucket is empty. */
  take(peer: string, now: number): boolean;
  readonly limit: RateLimit;
}

export function createRateLimiter(limit: RateLimit, maxPeers = 100_000): RateLimiter {
  if (!(limit.perSecond > 0) || !(limit.burst >= 1))
    throw new RangeError("rate limit needs perSecond > 0 and burst >= 1");
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    limit,
    take(peer, now) {
      const key = peer.toLowerCase();
      let b = buckets.get(key);
      if (!b) {
        // Bounded memory: forget the least recently refilled peer (Map keeps insertion order).
        if (buckets.size >= maxPeers) buckets.delete(buckets.keys().next().value as string);
        b = { tokens: limit.burst, at: now };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
        b.at = now;
      }
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
