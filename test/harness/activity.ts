/** Waiting on an agent's activity stream in tests. */
import type { Activity, Agent } from "../../agents/agent.ts";

/**
 * Resolves with the first activity of `agent` that matches, listening from now on; rejects after
 * `timeoutMs`, saying what it waited for, and stops listening either way.
 */
export function nextActivity<A extends Activity = Activity>(
  agent: Agent,
  match: ((a: Activity) => a is A) | ((a: Activity) => boolean),
  timeoutMs = 15_000,
  what = "agent activity",
): Promise<A> {
  return new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const off = agent.onActivity((a) => {
      if (!match(a)) return;
      clearTimeout(timer);
      off();
      resolve(a as A);
    });
  });
}
