/**
 * The text formats of the wire and the chain, in one place (as zod keeps its formats in one file):
 * zod schemas (core/schema.ts), the hand-written fast checks and the key helpers all test against
 * these, so a format cannot drift between a fast path and its slow twin.
 */

/** 20 bytes of 0x-prefixed hex, any letter case. */
export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/** 32 bytes of 0x-prefixed hex, any letter case (session ids, nonces, digests, salts). */
export const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;

/** A 65-byte signature r ‖ s ‖ v as 0x-prefixed hex, any letter case. */
export const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;

/** A non-negative decimal integer without sign or leading zeros ("0" is fine). */
export const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)$/;

/** Longest decimal string of a uint256 (78 digits). */
export const MAX_DECIMAL_LENGTH = 78;
