/**
 * The Transport over NATS core (nats.js v3). Reconnects forever with capped exponential backoff
 * and jitter, re-subscribes on reconnect (the client does that), logs connection status changes,
 * and isolates subscription handlers: an exception is logged, never allowed into the client.
 */
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { BaseError } from "../../core/errors.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import { assertSubject } from "./subject.ts";
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

export async function createNatsTransport(params: CreateNatsTransportParameters): Promise<NatsTransport> {
  const log = (params.log ?? createLogger()).child({ transport: params.name });
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

  const name = params.name;
  let closed = false;

  const transport: NatsTransport = {
    name,
    connection: nc,
    get closed() {
      return closed;
    },
    publish(subject, data) {
      if (closed) throw new TransportClosedError({ transport: name, operation: "publish" });
      assertSubject(subject, { pattern: false });
      nc.publish(subject, data);
    },
    subscribe(subject: string, handler: MessageHandler): Subscription {
      if (closed) throw new TransportClosedError({ transport: name, operation: "subscribe" });
      assertSubject(subject, { pattern: true });
      const fail = (err: unknown, msgSubject: string) =>
        log.error("nats handler failed", {
          subject: msgSubject,
          error: err instanceof Error ? err.message : String(err),
        });
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) {
            log.error("nats subscription error", { subject, error: err.message });
            return;
          }
          try {
            const r = handler(msg.data, msg.subject);
            if (r instanceof Promise) r.catch((e: unknown) => fail(e, msg.subject));
          } catch (e) {
            fail(e, msg.subject);
          }
        },
      });
      return {
        subject,
        unsubscribe() {
          if (!sub.isClosed()) sub.unsubscribe();
        },
      };
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
  return transport;
}
