import type { TimerClock } from "../negotiation/timer-clock.ts";

/** Retries an async operation with capped exponential backoff; rethrows the last error. Used for
 *  durable writes that must land (a signed agreement's record) when the store is briefly away.
 *  The waits run on `clock` when given (a simulated agent), else on the wall clock. */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  p: {
    attempts: number;
    firstDelayMs: number;
    maxDelayMs: number;
    onRetry?: (error: unknown, attempt: number) => void;
    clock?: TimerClock;
  },
): Promise<T> {
  let delay = p.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= p.attempts) throw error;
      p.onRetry?.(error, attempt);
      const wait = delay;
      await new Promise((r) => (p.clock ? p.clock.setTimeout(r, wait) : setTimeout(r, wait)));
      delay = Math.min(p.maxDelayMs, delay * 2);
    }
  }
}
