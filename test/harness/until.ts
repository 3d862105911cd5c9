/**
 * Polls until a condition holds (or a value appears), for tests that wait on real processes, sockets
 * and chains. One implementation instead of a copy per test file.
 */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/**
 * Resolves with the probe's first truthy value; throws `timed out waiting for <what>` after
 * `timeoutMs`. The probe may be async (a chain read); it runs every `everyMs`.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  what = "a condition",
  timeoutMs = 15_000,
  everyMs = 10,
): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
