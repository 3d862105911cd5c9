/**
 * The Transport over NATS core (nats.js v3). Reconnects forever with capped exponential backoff
 * and jitter, re-subscribes on reconnect (the client does that), logs connection status changes,
 * and isolates subscription handlers: an exception is logged, never allowed into the client.
 *
 * Two ways to get one: `createNatsTransport` (a connection of its own: one agent, one process) and
 * `createSharedNatsConnection` (one connection, many transports: co-located agents). Sharing is
 * cheaper by about a millisecond of CPU per negotiation: nats.js writes everything published in
 * one tick with one `write()` and reads deliveries for all agents off one socket, where 100
 * connections pay a syscall and an event-loop callback per message.
 */
import {
  connect,
  type NatsConnection,
  type Subscription as NatsSubscription,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { BaseError } from "../../core/errors.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import { assertPublishSubject, assertSubject } from "./subject.ts";
import { type MessageHandler, type Subscription, type Transport, TransportClosedError } from "./transport.ts";

export type CreateNatsTransportParameters = {
  servers: string | string[];
  /** Connection name shown by the server (e.g. the agent's address or protocol name). */
  name: string;
  log?: Logger;
  /** First reconnect delay; doubles per failed attempt up to `maxReconnectDelayMs`. Default 100. */
  reconnectDelayMs?: number;
  /** Default 5000. */
  maxReconnectDelayMs?: number;
  /** Keep trying the first connection instead of failing fast. Default false. */
  waitOnFirstConnect?: boolean;
  /** Anything else for the client (credentials, TLS, ...). Reconnect options here are ignored. */
  connectOptions?: Omit<NodeConnectionOptions, "servers" | "name">;
};

export type NatsTransport = Transport & { readonly connection: NatsConnection };

export class NatsConnectError extends BaseError {
  override name = "NatsConnectError";
  override readonly code = "NatsConnect";
  constructor(params: { servers: string | string[]; cause: unknown }) {
    super(`Cannot connect to NATS at ${[params.servers].flat().join(", ")}.`, {
      cause: params.cause,
      details: params.cause instanceof Error ? params.cause.message : String(params.cause),
      metaMessages: ["Check that nats-server is running and reachable, or set waitOnFirstConnect."],
    });
  }
}

export type SharedNatsConnection = {
  readonly name: string;
  readonly connection: NatsConnection;
  /** A transport on this connection: its own subscriptions, dropped by its `close()`, which
   *  leaves the connection (and the other transports) open. */
  createTransport(params?: { name?: string }): NatsTransport;
  /** Waits until everything published and subscribed so far reached the server. */
  flush(): Promise<void>;
  /** Closes the connection and every transport on it. Idempotent. */
  close(): Promise<void>;
  readonly closed: boolean;
};

async function connectNats(params: CreateNatsTransportParameters, log: Logger): Promise<NatsConnection> {
  const base = params.reconnectDelayMs ?? 100;
  const cap = params.maxReconnectDelayMs ?? 5000;
  let attempt = 0;
  let nc: NatsConnection;
  try {
    nc = await connect({
      ...params.connectOptions,
      servers: params.servers,
      name: params.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: params.waitOnFirstConnect ?? false,
      // Called before every dial attempt; reset when a reconnect succeeds.
      reconnectDelayHandler: () => {
        const delay = Math.min(cap, base * 2 ** Math.min(attempt, 20));
        attempt++;
        return delay / 2 + Math.random() * (delay / 2);
      },
    });
  } catch (cause) {
    throw new NatsConnectError({ servers: params.servers, cause });
  }

  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case "disconnect":
          log.warn("nats disconnected", { server: s.server });
          break;
        case "reconnect":
          attempt = 0;
          log.info("nats reconnected", { server: s.server });
          break;
        case "error":
          log.error("nats error", { error: s.error.message });
          break;
        case "slowConsumer":
          log.warn("nats slow consumer", { subject: s.sub.getSubject(), pending: s.pending });
          break;
        default:
          break;
      }
    }
  })().catch(() => {});
  return nc;
}

/** A Transport on `nc`. `release` runs on its close, after its subscriptions are gone. */
function natsTransport(
  nc: NatsConnection,
  name: string,
  log: Logger,
  release: () => Promise<void>,
  connectionClosed: () => boolean,
): NatsTransport {
  let closed = false;
  const subs = new Set<NatsSubscription>();
  const isClosed = () => closed || connectionClosed();

  return {
    name,
    connection: nc,
    get closed() {
      return isClosed();
    },
    publish(subject, data) {
      if (isClosed()) throw new TransportClosedError({ transport: name, operation: "publish" });
      assertPublishSubject(subject);
      nc.publish(subject, data);
    },
    subscribe(subject: string, handler: MessageHandler): Subscription {
      if (isClosed()) throw new TransportClosedError({ transport: name, operation: "subscribe" });
      assertSubject(subject, { pattern: true });
      const fail = (err: unknown, msgSubject: string) =>
        log.error("nats handler failed", {
          subject: msgSubject,
          error: err instanceof Error ? err.message : String(err),
        });
      // A subscription without wildcards receives on its own subject only: pass that instead of
      // having the client decode each message's subject bytes.
      const exact = !subject.includes("*") && !subject.includes(">");
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) {
            log.error("nats subscription error", { subject, error: err.message });
            return;
          }
          try {
            const r = handler(msg.data, exact ? subject : msg.subject);
            if (r instanceof Promise) r.catch((e: unknown) => fail(e, msg.subject));
          } catch (e) {
            fail(e, msg.subject);
          }
        },
      });
      subs.add(sub);
      return {
        subject,
        unsubscribe() {
          subs.delete(sub);
          if (!sub.isClosed()) sub.unsubscribe();
        },
      };
    },
    async flush() {
      if (isClosed()) return;
      await nc.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sub of subs) if (!sub.isClosed()) sub.unsubscribe();
      subs.clear();
      await release();
    },
  };
}

/** A transport with a NATS connection of its own; `close()` closes the connection. */
export async function createNatsTransport(params: CreateNatsTransportParameters): Promise<NatsTransport> {
  const log = (params.log ?? createLogger()).child({ transport: params.name });
  const nc = await connectNats(params, log);
  let released = false;
  return natsTransport(
    nc,
    params.name,
    log,
    async () => {
      released = true;
      await nc.close();
    },
    () => released,
  );
}

/** One NATS connection for many transports (one per co-located agent). `params.name` names the
 *  connection; each transport's name shows up in its log lines. */
export async function createSharedNatsConnection(
  params: CreateNatsTransportParameters,
): Promise<SharedNatsConnection> {
  const baseLog = params.log ?? createLogger();
  const nc = await connectNats(params, baseLog.child({ transport: params.name }));
  let closed = false;
  let count = 0;
  const shared: SharedNatsConnection = {
    name: params.name,
    connection: nc,
    get closed() {
      return closed;
    },
    createTransport(p = {}) {
      if (closed) throw new TransportClosedError({ transport: params.name, operation: "create a transport" });
      const name = p.name ?? `${params.name}-${count}`;
      count++;
      return natsTransport(
        nc,
        name,
        baseLog.child({ transport: name }),
        async () => {},
        () => closed,
      );
    },
    async flush() {
      if (closed) return;
      await nc.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      await nc.close();
    },
  };
  return shared;
}
