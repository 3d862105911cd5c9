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

/** The domain separator as bytes, cached per (chain, contract). */
export function domainSeparatorBytes(domain: ArbiterDomain): Uint8Array {
  const key = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}`;
  let s = separators.get(key);
  if (!s) {
    s = Buffer.from(domainSeparator({ domain: eip712Domain(domain) }).slice(2), "hex");
    if (separators.size < 256) separators.set(key, s);
  }
  return s;
}

const HEX = /^0x[0-9a-fA-F]*$/;

/** Writes `bytes` bytes of hex right-aligned in the word at `offset` (addresses, bytes32). */
export function writeHexWord(buf: Uint8Array, offset: number, hex: string, bytes: number): void {
  if (hex.length !== 2 + bytes * 2 || !HEX.test(hex))
    throw new RangeError(`expected ${bytes} bytes of 0x hex`);
  buf.set(Buffer.from(hex.slice(2), "hex"), offset + 32 - bytes);
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
export function eip712Digest(domain: ArbiterDomain, encodedStruct: Uint8Array): Hex {
  const input = new Uint8Array(66);
  input[0] = 0x19;
  input[1] = 0x01;
  input.set(domainSeparatorBytes(domain), 2);
  input.set(keccak256Bytes(encodedStruct), 34);
  return keccak256Hex(input);
}
