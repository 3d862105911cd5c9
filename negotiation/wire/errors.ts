/**
 * Why an inbound message was refused. Every class has a stable `code` (docs/PROTOCOL.md#errors)
 * and carries what could be read of the envelope (`from`, `sessionId`, ... as claimed, not
 * authenticated unless the signature check passed) so the rejection can be logged.
 */
import { BaseError, type BaseErrorParameters } from "../../core/errors.ts";

/** Envelope fields as far as they could be read from a refused message (unauthenticated). */
export type RejectedContext = {
  from?: string;
  sessionId?: string;
  kind?: string;
  seq?: number;
};

/** A short, safe rendering of an untrusted JSON value for an error message: never recursive (a
 *  deeply nested value would overflow JSON.stringify's stack) and never long. */
function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "(an array)";
  if (v !== null && typeof v === "object") return "(an object)";
  const s = typeof v === "string" ? JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v) : String(v);
  return s.length > 48 ? `${s.slice(0, 48)}…` : s;
}

export abstract class WireError extends BaseError {
  abstract override readonly code: WireErrorCode;
  context: RejectedContext = {};
  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    super(shortMessage, params);
  }
}

export type WireErrorCode =
  | "MessageTooLarge"
  | "MalformedMessage"
  | "UnsupportedVersion"
  | "SchemaViolation"
  | "OwnMessage"
  | "WrongRecipient"
  | "UnknownPeer"
  | "ExpiredMessage"
  | "ExpiryTooFar"
  | "BadSignature"
  | "RateLimited"
  | "Replay"
  | "ReplayCacheFull"
  | "ReplayStoreUnavailable"
  | "InconsistentRiskMessage"
  | "InconsistentMarginCall";

export class MessageTooLargeError extends WireError {
  override name = "MessageTooLargeError";
  override readonly code = "MessageTooLarge";
  constructor(params: { size: number; max: number }) {
    super(`Message of ${params.size} bytes exceeds the limit of ${params.max} bytes.`);
  }
}

export class MalformedMessageError extends WireError {
  override name = "MalformedMessageError";
  override readonly code = "MalformedMessage";
  constructor(params: { reason: string; cause?: unknown }) {
    super(`Message is not valid UTF-8 JSON: ${params.reason}.`, { cause: params.cause });
  }
}

export class UnsupportedVersionError extends WireError {
  override name = "UnsupportedVersionError";
  override readonly code = "UnsupportedVersion";
  constructor(params: { got: unknown; supported: number }) {
    super(`Wire version ${describeValue(params.got)} is not supported.`, {
      metaMessages: [`This peer speaks v${params.supported}.`],
    });
  }
}

export class SchemaError extends WireError {
  override name = "SchemaError";
  override readonly code = "SchemaViolation";
  /** z.prettifyError text. */
  readonly issues: string;
  constructor(params: { issues: string; direction?: "inbound" | "outbound" }) {
    super(`${params.direction === "outbound" ? "Outbound" : "Inbound"} message violates the v0 schema.`, {
      details: params.issues,
    });
    this.issues = params.issues;
  }
}

export class OwnMessageError extends WireError {
  override name = "OwnMessageError";
  override readonly code = "OwnMessage";
  constructor() {
    super("Message claims to come from this agent (an echo of its own broadcast, or a spoof).");
  }
}

export class WrongRecipientError extends WireError {
  override name = "WrongRecipientError";
  override readonly code = "WrongRecipient";
  constructor(params: { to: string; expected: string; kind: string }) {
    super(`Message "${params.kind}" is addressed to ${params.to}, expected ${params.expected}.`);
  }
}

export class UnknownPeerError extends WireError {
  override name = "UnknownPeerError";
  override readonly code = "UnknownPeer";
  constructor(params: { from: string }) {
    super(`Sender ${params.from} is not in the peer registry.`, {
      metaMessages: ["Add the peer to the registry if it should be allowed to negotiate."],
    });
  }
}

export class ExpiredMessageError extends WireError {
  override name = "ExpiredMessageError";
  override readonly code = "ExpiredMessage";
  constructor(params: { expiry: number; now: number }) {
    super(`Message expired at ${params.expiry} ms, now is ${params.now} ms.`, {
      metaMessages: ["Check both clocks (NTP) and the sender's message TTL."],
    });
  }
}

export class ExpiryTooFarError extends WireError {
  override name = "ExpiryTooFarError";
  override readonly code = "ExpiryTooFar";
  constructor(params: { expiry: number; now: number; maxTtlMs: number }) {
    super(
      `Message expiry ${params.expiry} ms is more than ${params.maxTtlMs} ms after now (${params.now} ms).`,
      {
        metaMessages: ["Replay protection must remember a message until it expires, so expiries are capped."],
      },
    );
  }
}

export class BadSignatureError extends WireError {
  override name = "BadSignatureError";
  override readonly code = "BadSignature";
  constructor(params: { from: string; recovered: string | undefined; cause?: unknown }) {
    super(`Envelope signature does not recover to the sender ${params.from}.`, {
      cause: params.cause,
      metaMessages: [`Recovered ${params.recovered ?? "nothing (malformed signature)"}.`],
    });
  }
}

export class RateLimitedError extends WireError {
  override name = "RateLimitedError";
  override readonly code = "RateLimited";
  constructor(params: { perSecond: number; burst: number }) {
    super(`Sender exceeded its rate limit of ${params.perSecond} messages/s (burst ${params.burst}).`, {
      metaMessages: [
        "Slow down and resend: a throttled message is not recorded, so the same message may be sent again.",
      ],
    });
  }
}

export class ReplayError extends WireError {
  override name = "ReplayError";
  override readonly code = "Replay";
  readonly reason: "duplicate-nonce" | "stale-seq";
  constructor(params: { reason: "duplicate-nonce" | "stale-seq"; seq: number; lastSeq?: number }) {
    super(
      params.reason === "duplicate-nonce"
        ? "Message nonce was already seen from this sender."
        : `Sequence number ${params.seq} is not above the last accepted ${params.lastSeq} for this sender and session.`,
    );
    this.reason = params.reason;
  }
}

export class ReplayCacheFullError extends WireError {
  override name = "ReplayCacheFullError";
  override readonly code = "ReplayCacheFull";
  constructor(params: { max: number }) {
    super(`Replay cache holds ${params.max} live entries; refusing new messages until some expire.`, {
      metaMessages: ["Raise maxEntries or lower the peers' message TTL."],
    });
  }
}

/** The durable replay memory (JetStream KV) could not record an accepted message. The message is
 *  refused: accepting it unrecorded would let a copy through after a restart. */
export class ReplayStoreUnavailableError extends WireError {
  override name = "ReplayStoreUnavailableError";
  override readonly code = "ReplayStoreUnavailable";
  constructor(params: { cause: unknown }) {
    super("Replay store could not record the message; refused it.", {
      cause: params.cause,
      details: params.cause instanceof Error ? params.cause.message : String(params.cause),
      metaMessages: [
        "Check the NATS JetStream connection. The sender must resend (with a new nonce and seq).",
      ],
    });
  }
}

/** A risk message whose parts disagree: a proposal whose evidence does not hash to its alert's
 *  evidenceHash, an alert signature that is not the sender's, a session id that is not the
 *  proposal's id (docs/PROTOCOL.md §9.4). */
export class InconsistentRiskMessageError extends WireError {
  override name = "InconsistentRiskMessageError";
  override readonly code = "InconsistentRiskMessage";
  constructor(params: { reason: string }) {
    super(`Inconsistent risk message: ${params.reason}.`, {
      metaMessages: [
        "Rebuild the message from its parts as docs/PROTOCOL.md §9 describes and sign it again.",
      ],
    });
  }
}

/** A margin call whose envelope names another session than the loan it is about
 *  (docs/PROTOCOL.md §11: its sessionId is its agreementId). */
export class InconsistentMarginCallError extends WireError {
  override name = "InconsistentMarginCallError";
  override readonly code = "InconsistentMarginCall";
  constructor(params: { sessionId: string; agreementId: string }) {
    super(`Margin call in session ${params.sessionId} about loan ${params.agreementId}.`, {
      metaMessages: ["Send a margin call in the session whose id is the loan's agreementId."],
    });
  }
}
