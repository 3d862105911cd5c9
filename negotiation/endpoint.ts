/**
 * An agent's negotiation endpoint: signs and sends messages of wire protocol v0, receives its
 * inbox and the RFQ subjects it listens to, validates every inbound message (decodeMessage) and
 * hands only valid, typed messages to its handlers. A refused message produces a typed error,
 * a warn log line (code, claimed from, sessionId; never payloads or keys), a stats count and an
 * `onRejected` callback, and changes nothing else.
 */
import { type Address, getAddress, type Hex, zeroAddress } from "viem";
import type { ArbiterDomain } from "../core/agreement.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import type { PeerRegistry } from "./peers.ts";
import { PROTOCOL_PARAMETERS } from "./protocol-parameters.ts";
import { type Subscription, type Transport, TransportClosedError } from "./transport/transport.ts";
import { checkedAddress } from "./wire/checksum.ts";
import { DEFAULT_MAX_TTL_MS, decodeMessage } from "./wire/decode-message.ts";
import { encodeMessage } from "./wire/encode-message.ts";
import { MalformedMessageError, WireError, type WireErrorCode } from "./wire/errors.ts";
import { createRateLimiter, type RateLimit } from "./wire/rate-limiter.ts";
import { createReplayCache, type ReplayCache } from "./wire/replay-cache.ts";
import type {
  BodyOf,
  Message,
  MessageKind,
  MessageOf,
  RfqBody,
  RfqMessage,
  SessionKind,
  SessionMessage,
} from "./wire/schemas.ts";
import { inboxSubject, rfqSubject, rfqWildcard } from "./wire/subjects.ts";

/** Unix milliseconds. xstate's SimulatedClock fits. */
export type Clock = { now(): number };

/** Hands out seq numbers per session: 0, 1, 2, ... (strictly increasing; gaps are allowed). A
 *  durable implementation (negotiation/durable, JetStream KV) lets a restarted agent continue a
 *  session without its peers refusing reused numbers; it may answer asynchronously, and must then
 *  resolve the calls of one session in call order (the endpoint sends in that order). */
export interface Sequencer {
  next(sessionId: Hex): number | Promise<number>;
  forget(sessionId: Hex): void | Promise<void>;
}

export function createMemorySequencer(): Sequencer {
  const next = new Map<string, number>();
  return {
    next(sessionId) {
      const key = sessionId.toLowerCase();
      const seq = next.get(key) ?? 0;
      next.set(key, seq + 1);
      return seq;
    },
    forget: (sessionId) => void next.delete(sessionId.toLowerCase()),
  };
}

export const DEFAULT_RATE_LIMIT: RateLimit = {
  perSecond: PROTOCOL_PARAMETERS.rateLimitPerSecond,
  burst: PROTOCOL_PARAMETERS.rateLimitBurst,
};

export type CreateEndpointParameters = {
  transport: Transport;
  signer: Signer;
  domain: ArbiterDomain;
  peers: PeerRegistry;
  clock?: Clock;
  /** Envelope nonces (32 bytes). Default: random. The simulator passes a seeded source so a
   *  study's wire transcript repeats byte for byte. */
  newNonce?: () => Hex;
  log?: Logger;
  /** Lifetime given to outbound messages (expiry = now + ttl). Default 30 s. */
  messageTtlMs?: number;
  /** Inbound messages whose expiry lies further ahead are refused (ExpiryTooFar). Default 5 min. */
  maxTtlMs?: number;
  /** Default 16 KiB (MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  replayCache?: ReplayCache;
  /** Per-peer limit on authenticated inbound messages; `false` turns it off. Default 1,000/s in
   *  bursts of 2,000: about a hundred concurrent negotiations with one peer, while a flooding
   *  peer is cut off long before it can take the whole thread (a recovery costs ~70 us). */
  rateLimit?: RateLimit | false;
  sequencer?: Sequencer;
  /** RFQ subjects to listen to from the start; see `listenRfqs`. Default none. */
  rfqTokens?: readonly Address[] | "all";
};

export type InboundMeta = {
  subject: string;
  /** EIP-712 digest of the envelope: a unique id of the message. */
  digest: Hex;
  receivedAt: number;
};

export type RejectionMeta = { subject: string; receivedAt: number };

export type SentMessage<K extends MessageKind> = {
  subject: string;
  bytes: Uint8Array;
  message: MessageOf<K>;
  digest: Hex;
};

export type EndpointStats = {
  received: number;
  accepted: number;
  rejected: number;
  /** Own broadcasts echoed back to us: dropped silently. */
  ignored: number;
  sent: number;
  rejectedByCode: Partial<Record<WireErrorCode, number>>;
};

type Handler<T> = (msg: T, meta: InboundMeta) => void | Promise<void>;
type Unsubscribe = () => void;

export interface Endpoint {
  readonly address: Address;
  /** This agent's inbox subject. */
  readonly inbox: string;
  /** Broadcasts an RFQ on its token's subject (seq from the session's sequencer, usually 0). */
  sendRfq(sessionId: Hex, body: RfqBody): Promise<SentMessage<"rfq">>;
  /** Sends a session message to `to`'s inbox. */
  send<K extends SessionKind>(to: Address, sessionId: Hex, kind: K, body: BodyOf<K>): Promise<SentMessage<K>>;
  /** `send` to the sender of `msg`, in its session. */
  reply<K extends SessionKind>(msg: Message, kind: K, body: BodyOf<K>): Promise<SentMessage<K>>;
  /** Sets which RFQ subjects to receive (replaces the previous choice): given principal tokens,
   *  every token on this chain ("all"), or none. */
  listenRfqs(tokens: readonly Address[] | "all" | "none"): void;
  onRfq(handler: Handler<RfqMessage>): Unsubscribe;
  onMessage(handler: Handler<SessionMessage>): Unsubscribe;
  onRejected(handler: (error: WireError, meta: RejectionMeta) => void): Unsubscribe;
  stats(): EndpointStats;
  /** Waits until subscriptions and sent messages reached the transport (see Transport.flush). */
  flush(): Promise<void>;
  /** Unsubscribes; the transport stays open (its owner closes it). */
  close(): Promise<void>;
}

export function createEndpoint(params: CreateEndpointParameters): Endpoint {
  const { transport, signer, domain, peers } = params;
  const address = signer.address;
  const inbox = inboxSubject(address);
  const clock = params.clock ?? { now: () => Date.now() };
  const log = (params.log ?? createLogger()).child({ agent: address });
  const ttl = params.messageTtlMs ?? PROTOCOL_PARAMETERS.messageTtlMs;
  const maxTtlMs = params.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
  const maxBytes = params.maxMessageBytes;
  const replay = params.replayCache ?? createReplayCache();
  const rateLimiter =
    params.rateLimit === false ? undefined : createRateLimiter(params.rateLimit ?? DEFAULT_RATE_LIMIT);
  const sequencer = params.sequencer ?? createMemorySequencer();
  if (ttl > maxTtlMs) throw new RangeError("messageTtlMs must not exceed maxTtlMs");

  const rfqHandlers = new Set<Handler<RfqMessage>>();
  const messageHandlers = new Set<Handler<SessionMessage>>();
  const rejectedHandlers = new Set<(error: WireError, meta: RejectionMeta) => void>();
  const counters: EndpointStats = {
    received: 0,
    accepted: 0,
    rejected: 0,
    ignored: 0,
    sent: 0,
    rejectedByCode: {},
  };
  let closed = false;
  let rfqSubs: Subscription[] = [];
  let dispatchChain: Promise<void> = Promise.resolve();

  const callSafely = <A extends unknown[]>(what: string, fn: (...a: A) => unknown, ...args: A) => {
    try {
      const r = fn(...args);
      if (r instanceof Promise) {
        r.catch((err: unknown) => log.error(`${what} handler failed`, { error: String(err) }));
      }
    } catch (err) {
      log.error(`${what} handler failed`, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const reject = (raw: unknown, subject: string, receivedAt: number) => {
    if (!(raw instanceof WireError)) {
      // decodeMessage only throws WireErrors; anything else is our bug, but still a refusal.
      log.error("unexpected error validating a message", { subject, error: String(raw) });
    }
    const err =
      raw instanceof WireError
        ? raw
        : new MalformedMessageError({
            reason: raw instanceof Error ? raw.message : "unexpected",
            cause: raw,
          });
    if (err.code === "OwnMessage") {
      counters.ignored++;
      log.debug("own message echoed back, ignored", { subject, sessionId: err.context.sessionId });
      return;
    }
    counters.rejected++;
    counters.rejectedByCode[err.code] = (counters.rejectedByCode[err.code] ?? 0) + 1;
    log.warn("negotiation message rejected", {
      code: err.code,
      reason: err.shortMessage,
      subject,
      from: err.context.from,
      sessionId: err.context.sessionId,
      kind: err.context.kind,
      seq: err.context.seq,
    });
    for (const h of rejectedHandlers) callSafely("onRejected", h, err, { subject, receivedAt });
  };

  const receive = (broadcast: boolean) => (data: Uint8Array, subject: string) => {
    if (closed) return;
    counters.received++;
    const receivedAt = clock.now();
    let decoded: ReturnType<typeof decodeMessage>;
    try {
      decoded = decodeMessage(data, {
        domain,
        me: address,
        peers,
        now: receivedAt,
        replay,
        ...(rateLimiter ? { rateLimit: rateLimiter } : {}),
        maxTtlMs,
        broadcast,
        subject,
        ...(maxBytes === undefined ? {} : { maxBytes }),
      });
    } catch (err) {
      reject(err, subject, receivedAt);
      return;
    }
    const { message } = decoded;
    const meta: InboundMeta = { subject, digest: decoded.digest, receivedAt };
    if (!replay.commit) return dispatch(message, meta);
    // Durable replay memory: the entry must be stored before any handler acts on the message.
    // Commits run concurrently; dispatch keeps arrival order.
    const committed = replay.commit(message, receivedAt);
    dispatchChain = dispatchChain.then(() =>
      committed.then(
        () => {
          if (!closed) dispatch(message, meta);
        },
        (err: unknown) => reject(err, subject, receivedAt),
      ),
    );
  };

  function dispatch(message: Message, meta: InboundMeta): void {
    counters.accepted++;
    if (message.kind === "rfq") for (const h of rfqHandlers) callSafely("onRfq", h, message, meta);
    else for (const h of messageHandlers) callSafely("onMessage", h, message, meta);
  }

  const inboxSub = transport.subscribe(inbox, receive(false));

  const closedError = () => new TransportClosedError({ transport: `endpoint ${address}`, operation: "send" });

  /** Encodes and publishes with `seq`: synchronously when the transport publishes synchronously
   *  (NATS and the in-process bus do), so a message leaves in the same tick it was decided in. */
  const sendWithSeq = <K extends MessageKind>(
    seq: number,
    subject: string,
    to: Address,
    sessionId: Hex,
    kind: K,
    body: BodyOf<K>,
  ): SentMessage<K> | Promise<SentMessage<K>> => {
    if (closed) throw closedError();
    const encoded = encodeMessage({
      domain,
      signer,
      kind,
      sessionId,
      seq,
      to,
      expiry: clock.now() + ttl,
      body,
      ...(params.newNonce ? { nonce: params.newNonce() } : {}),
    });
    const sent = { subject, ...encoded };
    const published = transport.publish(subject, encoded.bytes);
    if (published instanceof Promise) {
      return published.then(() => {
        counters.sent++;
        return sent;
      });
    }
    counters.sent++;
    return sent;
  };

  // Not an async function: with a synchronous sequencer (the memory one) and transport, the
  // whole send runs in the caller's tick, without the promise hops an `await` costs per message.
  const publish = <K extends MessageKind>(
    subject: string,
    to: Address,
    sessionId: Hex,
    kind: K,
    body: BodyOf<K>,
  ): Promise<SentMessage<K>> => {
    try {
      if (closed) throw closedError();
      const seq = sequencer.next(sessionId);
      if (typeof seq === "number")
        return Promise.resolve(sendWithSeq(seq, subject, to, sessionId, kind, body));
      return seq.then((n) => sendWithSeq(n, subject, to, sessionId, kind, body));
    } catch (err) {
      return Promise.reject(err);
    }
  };

  const endpoint: Endpoint = {
    address,
    inbox,
    sendRfq: (sessionId, body) =>
      publish(rfqSubject(domain.chainId, body.principalToken), zeroAddress, sessionId, "rfq", body),
    send: (to, sessionId, kind, body) => {
      let recipient: Address;
      try {
        recipient = checkedAddress(to) ?? getAddress(to);
      } catch (err) {
        return Promise.reject(err);
      }
      return publish(inboxSubject(recipient), recipient, sessionId, kind, body);
    },
    reply: (msg, kind, body) => endpoint.send(msg.from, msg.sessionId, kind, body),
    listenRfqs(tokens) {
      for (const s of rfqSubs) s.unsubscribe();
      rfqSubs = [];
      if (closed || tokens === "none") return;
      const subjects =
        tokens === "all"
          ? [rfqWildcard(domain.chainId)]
          : [...new Set(tokens.map((t) => rfqSubject(domain.chainId, t)))];
      rfqSubs = subjects.map((s) => transport.subscribe(s, receive(true)));
    },
    onRfq(handler) {
      rfqHandlers.add(handler);
      return () => void rfqHandlers.delete(handler);
    },
    onMessage(handler) {
      messageHandlers.add(handler);
      return () => void messageHandlers.delete(handler);
    },
    onRejected(handler) {
      rejectedHandlers.add(handler);
      return () => void rejectedHandlers.delete(handler);
    },
    stats: () => ({ ...counters, rejectedByCode: { ...counters.rejectedByCode } }),
    flush: () => transport.flush(),
    async close() {
      if (closed) return;
      closed = true;
      inboxSub.unsubscribe();
      for (const s of rfqSubs) s.unsubscribe();
      rfqSubs = [];
      rfqHandlers.clear();
      messageHandlers.clear();
      rejectedHandlers.clear();
    },
  };
  if (params.rfqTokens) endpoint.listenRfqs(params.rfqTokens);
  return endpoint;
}
