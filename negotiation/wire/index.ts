export { CanonicalJsonError, canonicalJson } from "./canonical.ts";
export {
  DEFAULT_MAX_TTL_MS,
  type DecodeContext,
  type DecodedMessage,
  decodeMessage,
} from "./decode-message.ts";
export {
  type EncodedMessage,
  type EncodeMessageParameters,
  encodeMessage,
  randomNonce,
} from "./encode-message.ts";
export {
  ENVELOPE_TYPE,
  type EnvelopeFields,
  envelopeTypes,
  hashBody,
  hashCanonical,
  hashEnvelope,
} from "./envelope-hash.ts";
export * from "./errors.ts";
export { createRateLimiter, type RateLimit, type RateLimiter } from "./rate-limiter.ts";
export {
  isRejectCode,
  MAX_REJECT_CODE_LENGTH,
  REJECT_CODE_LIST,
  REJECT_CODE_PATTERN,
  REJECT_CODES,
  type RejectCode,
} from "./reject-codes.ts";
export {
  type CreateReplayCacheParameters,
  createReplayCache,
  type ReplayCache,
  type ReplayKey,
} from "./replay-cache.ts";
export * from "./schemas.ts";
export { inboxSubject, rfqSubject, rfqWildcard, SUBJECT_PREFIX } from "./subjects.ts";
