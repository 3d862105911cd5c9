/**
 * Knowing when a simulated step is over. The agents react to messages (the in-process bus) and to
 * the results of I/O (adapter snapshots, settlement calls, which on the chain backend are real
 * HTTP round trips). Every such call goes through `track`, and `quiet()` returns once an event-loop
 * turn passes with the bus empty, nothing published, no call started and none pending. The outcome
 * never depends on how long anything takes: only on the order of messages and results, which
 * the bus and the agents fix.
 */
import type { InProcessBus } from "../../../negotiation/transport/in-process.ts";

export type InFlight = {
  /** The same object, its methods counted while their promises are pending. */
  track<T extends object>(target: T): T;
  quiet(): Promise<void>;
  pending(): number;
};

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createInFlight(bus: InProcessBus): InFlight {
  let pending = 0;
  let seen = 0;
  const track = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const result = value.apply(t, args);
          if (!(result instanceof Promise)) return result;
          pending++;
          seen++;
          return result.finally(() => {
            pending--;
          });
        };
      },
    });
  return {
    track,
    pending: () => pending,
    async quiet() {
      // After an event-loop turn every microtask queued before it has run: if nothing was
      // published and no call started or stayed pending across it, nothing is left to happen.
      for (let i = 0; i < 1_000_000; i++) {
        await bus.flush();
        const published = bus.stats().published;
        const started = seen;
        await turn();
        if (pending === 0 && seen === started && bus.stats().published === published) return;
      }
      throw new Error("the agents never went quiet");
    },
  };
}
