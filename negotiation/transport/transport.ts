/**
 * The one transport interface every negotiation component talks to. Two implementations share
 * it and one test suite (test/transport-suite.test.ts): the in-process bus (simulations, unit
 * tests) and NATS (deployment). Semantics follow NATS core: at-most-once, asynchronous delivery,
 * order preserved per publisher and subscription, `*` matches one token and `>` the rest.
 */
import { BaseError } from "../../core/errors.ts";

export type MessageHandler = (data: Uint8Array, subject: string) => void | Promise<void>;

export interface Subscription {
  readonly subject: string;
  /** Stops delivery at once: messages already queued for this subscription are dropped. */
  unsubscribe(): void;
}

export interface Transport {
  /** Human-readable name (the connection name on NATS), for logs. */
  readonly name: string;
  /** Publishes `data` to a concrete subject (no wildcards). Throws TransportClosedError after close. */
  publish(subject: string, data: Uint8Array): Promise<void> | void;
  /** Subscribes to a subject or wildcard pattern. A throwing or rejecting handler is logged and the
   *  subscription keeps going. */
  subscribe(subject: string, handler: MessageHandler): Subscription;
  /** Resolves once everything published and subscribed so far has reached the broker (NATS) or
   *  been delivered (in-process bus). Tests call it before asserting. */
  flush(): Promise<void>;
  /** Unsubscribes everything and releases the connection. Idempotent. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export class TransportClosedError extends BaseError {
  override name = "TransportClosedError";
  override readonly code = "TransportClosed";
  constructor(params: { transport: string; operation: string }) {
    super(`Transport "${params.transport}" is closed; cannot ${params.operation}.`, {
      metaMessages: ["Create a new transport, or stop using this one after close()."],
    });
  }
}

export class InvalidSubjectError extends BaseError {
  override name = "InvalidSubjectError";
  override readonly code = "InvalidSubject";
  constructor(params: { subject: string; reason: string }) {
    super(`Invalid subject "${params.subject}": ${params.reason}.`, {
      metaMessages: [
        "Subjects are dot-separated non-empty tokens without whitespace; `*` and `>` are only allowed",
        "as whole tokens when subscribing, and `>` only as the last token.",
      ],
    });
  }
}

export class PayloadTooLargeError extends BaseError {
  override name = "PayloadTooLargeError";
  override readonly code = "PayloadTooLarge";
  constructor(params: { size: number; max: number }) {
    super(`Payload of ${params.size} bytes exceeds the transport maximum of ${params.max} bytes.`);
  }
}
