/**
 * Keccak-256 (the Ethereum hash, not NIST SHA3-256) in WebAssembly (hash-wasm). A negotiation
 * hashes ~66 times (per message: body, envelope struct and digest, on both sides; plus the
 * agreement), so the hash is a visible share of the wire's CPU: 1.0 us for a 66-byte digest input
 * and 2.6 us for a 320-byte struct here, against 4.1 / 12.9 us for an unrolled pure-JS keccak and
 * ~4x more for viem's (@noble/hashes). Node 20's OpenSSL has SHA3 but not Keccak's padding.
 * keccak.test.ts checks it against viem's keccak256 at every length around the block boundaries.
 *
 * The WASM module is compiled once, at import (top-level await): a few milliseconds.
 */
import { createKeccak } from "hash-wasm";
import type { Hex } from "viem";

const hasher = await createKeccak(256);

/** keccak256 of `data`, as 32 bytes. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
}

/** keccak256 of `data`, as 0x-prefixed lowercase hex. */
export function keccak256Hex(data: Uint8Array): Hex {
  hasher.init();
  hasher.update(data);
  return `0x${hasher.digest("hex")}`;
}
