/** Retries an async operation with capped exponential backoff; rethrows the last error. Used for
 *  durable writes that must land (a signed agreement's record) when the store is briefly away. */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  p: {
    attempts: number;
    firstDelayMs: number;
    maxDelayMs: number;
    onRetry?: (error: unknown, attempt: number) => void;
  },
): Promise<T> {
  let delay = p.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= p.attempts) throw error;
      p.onRetry?.(error, attempt);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(p.maxDelayMs, delay * 2);
    }
  }
}
