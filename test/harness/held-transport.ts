/**
 * A transport that holds back what it receives on some subjects until the test releases it: a
 * peer that gets a message at once but acts on it only later (a slow peer), so that a test can
 * decide that its answer comes after some event (another agent's restart). Nothing held is lost or
 * reordered; the rest passes straight through.
 */
import type { Transport } from "../../negotiation/transport/transport.ts";

export type HeldTransport = {
  readonly transport: Transport;
  /** Deliveries waiting, with their subjects, oldest first. */
  readonly held: readonly string[];
  /** Delivers what was held, in arrival order, and stops holding. */
  release(): Promise<void>;
};

export function holdDeliveries(
  inner: Transport,
  hold: (subject: string, data: Uint8Array) => boolean,
): HeldTransport {
  let holding = true;
  const queue: Array<{ subject: string; deliver: () => void | Promise<void> }> = [];
  const transport: Transport = {
    name: inner.name,
    get closed() {
      return inner.closed;
    },
    publish: (subject, data) => inner.publish(subject, data),
    subscribe: (subject, handler) =>
      inner.subscribe(subject, (data, at) => {
        if (!holding || !hold(at, data)) return handler(data, at);
        queue.push({ subject: at, deliver: () => handler(data, at) });
      }),
    flush: () => inner.flush(),
    close: () => inner.close(),
  };
  return {
    transport,
    get held() {
      return queue.map((q) => q.subject);
    },
    async release() {
      // What arrives meanwhile queues behind, so the order holds.
      for (let q = queue.shift(); q; q = queue.shift()) await q.deliver();
      holding = false;
    },
  };
}
