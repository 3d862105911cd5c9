/**
 * Validates one inbound message, cheapest checks first, and returns it typed. Order (each step
 * throws its own WireError; see docs/PROTOCOL.md#validation):
 *   size -> UTF-8 + JSON -> version -> schema -> own echo -> recipient (and RFQ subject) -> known peer
 *   -> consistency (a margin call's sessionId is its agreementId) -> expiry (not past, not too far ahead) -> signature -> rate limit -> replay (check, then record).
 * The replay cache is written only in the very last step, once everything else passed.
 * Cost: one JSON.parse, one zod parse, one keccak of the canonical body, one EIP-712 hash, one
 * signature recovery.
 */
import { type Address, type Hex, zeroAddress } from "viem";
import { z } from "zod";
import type { ArbiterDomain } from "../../core/agreement.ts";
import { recoverDigest } from "../../core/signer.ts";
import type { PeerRegistry } from "../peers.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import { hashBody, hashEnvelope } from "./envelope-hash.ts";
import {
  BadSignatureError,
  ExpiredMessageError,
  ExpiryTooFarError,
  InconsistentMarginCallError,
  MalformedMessageError,
  MessageTooLargeError,
  OwnMessageError,
  RateLimitedError,
  type RejectedContext,
  SchemaError,
  UnknownPeerError,
  UnsupportedVersionError,
  WireError,
  WrongRecipientError,
} from "./errors.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { ReplayCache } from "./replay-cache.ts";
import { MAX_MESSAGE_BYTES, type Message, parseMessage, WIRE_VERSION } from "./schemas.ts";
import { rfqSubject } from "./subjects.ts";

/** Default cap on how far in the future an inbound expiry may lie. */
export const DEFAULT_MAX_TTL_MS = PROTOCOL_PARAMETERS.maxTtlMs;

export type DecodeContext = {
  domain: ArbiterDomain;
  /** The receiving agent. */
  me: Address;
  peers: PeerRegistry;
  /** Current unix time, ms. */
  now: number;
  /** When given, replays are refused and the accepted message is recorded. */
  replay?: ReplayCache;
  /** When given, each authenticated sender is held to its rate (checked before the replay record). */
  rateLimit?: RateLimiter;
  maxBytes?: number;
  maxTtlMs?: number;
  /** Received on a broadcast (RFQ) subject: only `rfq` messages are acceptable there, and only
   *  when `subject` (if given) is the RFQ subject of their principal token. */
  broadcast?: boolean;
  subject?: string;
};

export type DecodedMessage = { message: Message; digest: Hex };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeMessage(bytes: Uint8Array, ctx: DecodeContext): DecodedMessage {
  const context: RejectedContext = {};
  try {
    return decode(bytes, ctx, context);
  } catch (err) {
    if (err instanceof WireError) err.context = context;
    throw err;
  }
}

function peekString(v: unknown): string | undefined {
  return typeof v === "string" ? v.slice(0, 66) : undefined;
}

function peek(raw: Record<string, unknown>, context: RejectedContext): void {
  const str = peekString;
  const from = str(raw.from);
  const sessionId = str(raw.sessionId);
  const kind = str(raw.kind);
  if (from !== undefined) context.from = from;
  if (sessionId !== undefined) context.sessionId = sessionId;
  if (kind !== undefined) context.kind = kind.slice(0, 16);
  if (typeof raw.seq === "number") context.seq = raw.seq;
}

function decode(bytes: Uint8Array, ctx: DecodeContext, context: RejectedContext): DecodedMessage {
  const maxBytes = ctx.maxBytes ?? MAX_MESSAGE_BYTES;
  if (bytes.length > maxBytes) throw new MessageTooLargeError({ size: bytes.length, max: maxBytes });

  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(bytes));
  } catch (cause) {
    throw new MalformedMessageError({
      reason: cause instanceof Error ? cause.message : "undecodable",
      cause,
    });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SchemaError({ issues: "✖ a message must be a JSON object" });
  }
  const obj = raw as Record<string, unknown>;
  peek(obj, context);
  if ("v" in obj && obj.v !== WIRE_VERSION) {
    throw new UnsupportedVersionError({ got: obj.v, supported: WIRE_VERSION });
  }

  const parsed = parseMessage(obj);
  if (!parsed.success) throw new SchemaError({ issues: z.prettifyError(parsed.error) });
  const m = parsed.data;
  context.from = m.from;
  context.sessionId = m.sessionId;

  const me = ctx.me.toLowerCase();
  if (m.from.toLowerCase() === me) throw new OwnMessageError();
  if (m.kind === "rfq") {
    if (m.to !== zeroAddress && m.to.toLowerCase() !== me) {
      throw new WrongRecipientError({ to: m.to, expected: `${zeroAddress} or ${ctx.me}`, kind: m.kind });
    }
    if (ctx.broadcast && ctx.subject !== undefined) {
      const expected = rfqSubject(ctx.domain.chainId, m.body.principalToken);
      if (ctx.subject !== expected) {
        throw new WrongRecipientError({
          to: `subject ${ctx.subject}`,
          expected: `subject ${expected}`,
          kind: m.kind,
        });
      }
    }
  } else if (ctx.broadcast || m.to.toLowerCase() !== me) {
    throw new WrongRecipientError({
      to: ctx.broadcast ? `${m.to} (on a broadcast subject)` : m.to,
      expected: `${ctx.me} (on its inbox)`,
      kind: m.kind,
    });
  }
  if (!ctx.peers.isKnown(m.from)) throw new UnknownPeerError({ from: m.from });
  if (m.kind === "margin.call" && m.sessionId !== m.body.agreementId)
    throw new InconsistentMarginCallError({ sessionId: m.sessionId, agreementId: m.body.agreementId });

  if (ctx.now > m.expiry) throw new ExpiredMessageError({ expiry: m.expiry, now: ctx.now });
  const maxTtlMs = ctx.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
  if (m.expiry - ctx.now > maxTtlMs)
    throw new ExpiryTooFarError({ expiry: m.expiry, now: ctx.now, maxTtlMs });

  // The signature covers the body exactly as sent (before zod normalised addresses and hex).
  const digest = hashEnvelope(ctx.domain, {
    v: m.v,
    sessionId: m.sessionId,
    seq: m.seq,
    kind: m.kind,
    from: m.from,
    to: m.to,
    expiry: m.expiry,
    nonce: m.nonce,
    bodyHash: hashBody(obj.body),
  });
  let recovered: Address | undefined;
  try {
    recovered = recoverDigest(digest, m.sig, m.from);
  } catch (cause) {
    throw new BadSignatureError({ from: m.from, recovered: undefined, cause });
  }
  if (recovered !== m.from) throw new BadSignatureError({ from: m.from, recovered });

  if (ctx.rateLimit && !ctx.rateLimit.take(m.from, ctx.now)) throw new RateLimitedError(ctx.rateLimit.limit);

  if (ctx.replay) {
    ctx.replay.check(m, ctx.now);
    ctx.replay.record(m, ctx.now);
  }
  return { message: m, digest };
}
