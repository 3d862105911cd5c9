/**
 * EIP-55 checksums of addresses seen on the wire, cached: a peer's address arrives in every
 * message it sends. A plain bounded map, because viem's own cache is an LRU that deletes and
 * re-inserts its key on every hit, a visible cost at this rate.
 */
import { type Address, getAddress } from "viem";
import { ADDRESS_PATTERN } from "../../core/formats.ts";

const checksums = new Map<string, Address>();

/** EIP-55 checksum of a string already known to be 20 bytes of 0x hex. */
export function checksummed(address: string): Address {
  let c = checksums.get(address);
  if (c === undefined) {
    c = getAddress(address);
    if (checksums.size >= 8192) checksums.clear();
    checksums.set(address, c);
  }
  return c;
}

/** The checksummed form of `value` if it is 20 bytes of 0x hex, else undefined. An address seen
 *  before (every peer's, after its first message) is a cache hit that skips the format check:
 *  only strings that passed it are ever cached. */
export function checkedAddress(value: unknown): Address | undefined {
  if (typeof value !== "string") return undefined;
  const c = checksums.get(value);
  if (c !== undefined) return c;
  return ADDRESS_PATTERN.test(value) ? checksummed(value) : undefined;
}
