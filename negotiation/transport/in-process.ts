/**
 * An in-process message bus with NATS core semantics, for simulations and tests: one bus, many
 * transports (one per agent). Delivery is asynchronous (a setImmediate batch, so timers and I/O
 * still run between batches) and FIFO across the whole bus, hence ordered per publisher and per
 * subscription. Each delivery gets its own copy of the bytes, as it would off a socket.
 */
import { createLogger, type Logger } from "../../core/log.ts";
import { assertSubject, isPattern, matchTokens } from "./subject.ts";
import {
  type MessageHandler,
  PayloadTooLargeError,
  type Subscription,
  type Transport,
  TransportClosedError,
} from "./transport.ts";

export type CreateInProcessBusParameters = {
  log?: Logger;
  /** Largest payload accepted by publish, like the NATS server's max_payload. Default 1 MiB. */
  maxPayload?: number;
};

export type InProcessBusStats = { published: number; delivered: number; handlerErrors: number };

export interface InProcessBus {
  /** A transport attached to this bus; `name` shows up in logs. */
  createTransport(params?: { name?: string }): Transport;
  /** Resolves when no delivery is queued (including deliveries queued by handlers meanwhile). */
  flush(): Promise<void>;
  stats(): InProcessBusStats;
}

type BusSub = {
  subject: string;
  tokens: string[];
  handler: MessageHandler;
  active: boolean;
  owner: string;
};

type Delivery = { sub: BusSub; subject: string; data: Uint8Array };

export function createInProcessBus(params: CreateInProcessBusParameters = {}): InProcessBus {
  const log = params.log ?? createLogger();
  const maxPayload = params.maxPayload ?? 1024 * 1024;
  // Exact subjects are looked up in O(1) (agent inboxes); patterns are scanned.
  const exact = new Map<string, Set<BusSub>>();
  const patterns = new Set<BusSub>();
  let queue: Delivery[] = [];
  let scheduled = false;
  let idleWaiters: (() => void)[] = [];
  const counters: InProcessBusStats = { published: 0, delivered: 0, handlerErrors: 0 };
  let transportCount = 0;

  const reportHandlerError = (sub: BusSub, subject: string, err: unknown) => {
    counters.handlerErrors++;
    log.error("bus handler failed", {
      transport: sub.owner,
      subject,
      error: err instanceof Error ? err.message : String(err),
    });
  };

  const drain = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (const d of batch) {
      if (!d.sub.active) continue;
      counters.delivered++;
      try {
        const r = d.sub.handler(d.data, d.subject);
        if (r instanceof Promise) r.catch((err: unknown) => reportHandlerError(d.sub, d.subject, err));
      } catch (err) {
        reportHandlerError(d.sub, d.subject, err);
      }
    }
    if (queue.length > 0) schedule();
    else {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  const publish = (subject: string, data: Uint8Array) => {
    const tokens = assertSubject(subject, { pattern: false });
    if (data.length > maxPayload) throw new PayloadTooLargeError({ size: data.length, max: maxPayload });
    counters.published++;
    const targets = exact.get(subject);
    if (targets) for (const sub of targets) queue.push({ sub, subject, data: data.slice() });
    for (const sub of patterns) {
      if (matchTokens(sub.tokens, tokens)) queue.push({ sub, subject, data: data.slice() });
    }
    if (queue.length > 0) schedule();
  };

  const remove = (sub: BusSub) => {
    sub.active = false;
    if (patterns.delete(sub)) return;
    const set = exact.get(sub.subject);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) exact.delete(sub.subject);
  };

  return {
    createTransport({ name } = {}) {
      const transportName = name ?? `in-process-${++transportCount}`;
      const mine = new Set<BusSub>();
      let closed = false;
      return {
        name: transportName,
        get closed() {
          return closed;
        },
        publish(subject, data) {
          if (closed) throw new TransportClosedError({ transport: transportName, operation: "publish" });
          publish(subject, data);
        },
        subscribe(subject, handler): Subscription {
          if (closed) throw new TransportClosedError({ transport: transportName, operation: "subscribe" });
          const tokens = assertSubject(subject, { pattern: true });
          const sub: BusSub = { subject, tokens, handler, active: true, owner: transportName };
          if (isPattern(tokens)) patterns.add(sub);
          else {
            let set = exact.get(subject);
            if (!set) {
              set = new Set();
              exact.set(subject, set);
            }
            set.add(sub);
          }
          mine.add(sub);
          return {
            subject,
            unsubscribe() {
              remove(sub);
              mine.delete(sub);
            },
          };
        },
        flush() {
          return closed ? Promise.resolve() : busFlush();
        },
        async close() {
          if (closed) return;
          closed = true;
          for (const sub of mine) remove(sub);
          mine.clear();
        },
      };
    },
    flush: () => busFlush(),
    stats: () => ({ ...counters }),
  };

  function busFlush(): Promise<void> {
    if (queue.length === 0 && !scheduled) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }
}
