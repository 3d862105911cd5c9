/**
 * zod building blocks for wire formats. Money and on-chain integers travel as decimal strings
 * (JSON has no bigint) and become `bigint` at the boundary; addresses are checksummed on arrival.
 */
import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";
import {
  ADDRESS_PATTERN,
  BYTES32_PATTERN,
  DECIMAL_PATTERN,
  MAX_DECIMAL_LENGTH,
  SIGNATURE_PATTERN,
} from "./formats.ts";

export const MAX_UINT256 = (1n << 256n) - 1n;

export const address = z
  .string()
  .regex(ADDRESS_PATTERN, "expected a 20-byte 0x-prefixed hex address")
  .transform((s) => getAddress(s) as Address);

export const bytes32 = z
  .string()
  .regex(BYTES32_PATTERN, "expected 32 bytes of 0x-prefixed hex")
  .transform((s) => s.toLowerCase() as Hex);

export const signature = z
  .string()
  .regex(SIGNATURE_PATTERN, "expected a 65-byte 0x-prefixed hex signature")
  .transform((s) => s.toLowerCase() as Hex);

/** An unsigned integer of `bits` bits, as a decimal string on the wire and a bigint in code. */
export function uint(bits: number) {
  const max = (1n << BigInt(bits)) - 1n;
  return z
    .string()
    .max(MAX_DECIMAL_LENGTH)
    .regex(DECIMAL_PATTERN, "expected a non-negative decimal integer string")
    .transform((s) => BigInt(s))
    .refine((n) => n <= max, `must fit in uint${bits}`);
}

/** Small unsigned integers (seconds, basis points, sequence numbers) travel as JSON numbers. */
export function smallUint(max: number) {
  return z.number().int().min(0).max(max);
}

/** JSON.stringify that writes bigints as decimal strings (the inverse of `uint`). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}
