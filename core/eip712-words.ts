/**
 * Hand-rolled EIP-712 encoding for structs of static fields (every field is one 32-byte word),
 * used on the hot path instead of viem's generic hashTypedData, which walks the type tree per
 * call. Tests prove each hand-rolled hasher equals viem's.
 */
import { domainSeparator, type Hex } from "viem";
import type { ArbiterDomain } from "./agreement.ts";
import { eip712Domain } from "./agreement.ts";
import { keccak256Bytes, keccak256Hex } from "./keccak.ts";

const separators = new Map<string, Uint8Array>();
// Every message of an agent hashes under the same domain object: remember the last one.
let lastDomain: ArbiterDomain | undefined;
let lastSeparator: Uint8Array | undefined;

/** The domain separator as bytes, cached per (chain, contract). */
export function domainSeparatorBytes(domain: ArbiterDomain): Uint8Array {
  if (domain === lastDomain && lastSeparator) return lastSeparator;
  const key = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}`;
  let s = separators.get(key);
  if (!s) {
    s = Buffer.from(domainSeparator({ domain: eip712Domain(domain) }).slice(2), "hex");
    if (separators.size < 256) separators.set(key, s);
  }
  lastDomain = domain;
  lastSeparator = s;
  return s;
}

/** Writes `bytes` bytes of hex right-aligned in the word at `offset` (addresses, bytes32).
 *  Buffer's native hex decoder stops at the first invalid pair, so a short count is the check. */
export function writeHexWord(buf: Buffer, offset: number, hex: string, bytes: number): void {
  if (
    hex.length !== 2 + bytes * 2 ||
    hex.charCodeAt(0) !== 48 /* 0 */ ||
    hex.charCodeAt(1) !== 120 /* x */ ||
    buf.write(hex.slice(2), offset + 32 - bytes, bytes, "hex") !== bytes
  )
    throw new RangeError(`expected ${bytes} bytes of 0x hex`);
}

/** Writes a safe-integer number as a uint word, refusing values above `max`. */
export function writeUintWord(view: DataView, offset: number, n: number, max: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new RangeError(`uint out of range: ${n}`);
  view.setUint32(offset + 24, Math.floor(n / 0x1_0000_0000));
  view.setUint32(offset + 28, n >>> 0);
}

/** Writes a bigint as a uint word, refusing values that do not fit in `bits`. */
export function writeBigUintWord(view: DataView, offset: number, n: bigint, bits: number): void {
  if (n < 0n || n >> BigInt(bits) !== 0n) throw new RangeError(`uint${bits} out of range: ${n}`);
  for (let i = 3; i >= 0; i--) {
    view.setBigUint64(offset + i * 8, n & 0xffffffffffffffffn);
    n >>= 64n;
  }
}

/** keccak256(0x1901 ‖ domainSeparator ‖ keccak256(encodedStruct)). */
// The digest's input, reused (hashing is synchronous): 0x1901, then the separator and struct hash,
// both rewritten by every call.
const digestInput = new Uint8Array(66);
digestInput[0] = 0x19;
digestInput[1] = 0x01;

export function eip712Digest(domain: ArbiterDomain, encodedStruct: Uint8Array): Hex {
  const input = digestInput;
  input.set(domainSeparatorBytes(domain), 2);
  input.set(keccak256Bytes(encodedStruct), 34);
  return keccak256Hex(input);
}
