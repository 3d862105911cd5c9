/**
 * The Agreement's `nonce` packs two 128-bit nonces: the lender's (high half) and the borrower's (low
 * half). Settling consumes each non-zero half in its owner's bitmap on the LiquidityArbiter, so no two
 * agreements carrying the same nonce of one party both settle; a zero half means the party uses no
 * nonce in that agreement (it withdraws its signature with cancelAgreement instead).
 *
 * Gas: consuming a nonce rewrites one 256-bit word of its owner's bitmap. A party whose nonces are
 * sequential fills a word 256 nonces at a time, so the word is already non-zero (about 2,900 gas to
 * update instead of 20,000 for a fresh word). Hence the rule our agents follow: each party allocates
 * its own nonces in sequence (createNonceAllocator) and puts them in its own half only.
 */
import { BaseError } from "./errors.ts";

export const NONCE_HALF_MAX = (1n << 128n) - 1n;

export type NonceRole = "lender" | "borrower";

export class NonceHalfError extends BaseError {
  override name = "NonceHalfError";
  override readonly code = "NonceHalf";
  constructor(value: bigint) {
    super(`Nonce ${value} does not fit in 128 bits.`, {
      metaMessages: ["Each party's nonce is a 128-bit half of the agreement's 256-bit nonce."],
    });
  }
}

function half(value: bigint): bigint {
  if (value < 0n || value > NONCE_HALF_MAX) throw new NonceHalfError(value);
  return value;
}

/** lender << 128 | borrower; an omitted half is 0 (no nonce for that party). */
export function packNonce(p: { lender?: bigint | undefined; borrower?: bigint | undefined }): bigint {
  return (half(p.lender ?? 0n) << 128n) | half(p.borrower ?? 0n);
}

/** Both halves of an agreement nonce. */
export function unpackNonce(nonce: bigint): { lender: bigint; borrower: bigint } {
  return { lender: nonce >> 128n, borrower: nonce & NONCE_HALF_MAX };
}

/** The nonce `role` has in an agreement (0n: none). */
export function nonceOf(agreement: { nonce: bigint }, role: NonceRole): bigint {
  const { lender, borrower } = unpackNonce(agreement.nonce);
  return role === "lender" ? lender : borrower;
}

export type NonceAllocator = {
  /** The next nonce: sequential, never 0, never handed out twice by this allocator. */
  next(): bigint;
};

/**
 * Sequential nonces for one party. A process starts at `start` (default: the current millisecond
 * times 256, the first bit of a fresh bitmap word), so a restarted agent never reuses an earlier
 * run's nonces unless that run allocated more than 256 nonces per millisecond it was up; within a
 * run, 256 consecutive nonces share one word.
 */
export function createNonceAllocator(p: { start?: bigint | undefined } = {}): NonceAllocator {
  let next = p.start ?? BigInt(Date.now()) << 8n;
  if (next <= 0n) next = 1n;
  return {
    next() {
      const n = half(next);
      next++;
      return n;
    },
  };
}

const allocators = new Map<string, NonceAllocator>();

/** The process-wide allocator of `party` (lower-cased address): every agreement this process builds
 *  for that party draws from it. */
export function nonceAllocatorFor(party: string): NonceAllocator {
  const key = party.toLowerCase();
  let a = allocators.get(key);
  if (!a) {
    a = createNonceAllocator();
    allocators.set(key, a);
  }
  return a;
}
