/**
 * Fast secp256k1 signing over 32-byte digests with libsecp256k1 (the `secp256k1` package ships
 * prebuilt binaries). viem's JS signer costs ~630 us to sign and ~2 ms to recover; this costs
 * ~55 us and ~80 us, which is what bounds negotiation throughput. Signatures are the usual
 * 65-byte r || s || v (v = 27 | 28), low-s only, so the contract and viem accept them.
 */
import secp256k1 from "secp256k1";
import type { Address, Hex } from "viem";
import { BaseError } from "./errors.ts";
import { BYTES32_PATTERN } from "./formats.ts";
import { keccak256Hex } from "./keccak.ts";

export interface Signer {
  readonly address: Address;
  /** Signs a 32-byte digest (already hashed, e.g. an EIP-712 digest). */
  signDigest(digest: Hex): Hex;
}

/** Half the curve order, big-endian: signatures with s above it are the malleable twin and are
 *  refused. Compared byte by byte, which is cheaper than a BigInt per signature. */
const HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");

/** Hex to bytes with Buffer's native decoder (after the caller checked the format). */
const fromHex = (hex: string): Buffer => Buffer.from(hex.slice(2), "hex");

/** `bytes` bytes from 0x-prefixed hex, or undefined if it is anything else. Buffer's decoder stops
 *  at the first character that is not hex, so a full-length result proves the format: one native
 *  pass instead of a regex test and then the decode (both ran on every message). */
function exactHex(hex: string, bytes: number): Buffer | undefined {
  if (
    typeof hex !== "string" ||
    hex.length !== 2 + 2 * bytes ||
    hex.charCodeAt(0) !== 48 ||
    hex.charCodeAt(1) !== 120
  )
    return undefined;
  const out = Buffer.from(hex.slice(2), "hex");
  return out.length === bytes ? out : undefined;
}

/** True when s (32 bytes, big-endian) is zero or above HALF_N. */
function isHighOrZeroS(sig: Uint8Array): boolean {
  let any = 0;
  for (let i = 32; i < 64; i++) any |= sig[i]!;
  if (any === 0) return true;
  for (let i = 0; i < 32; i++) {
    const b = sig[32 + i]!;
    const h = HALF_N[i]!;
    if (b !== h) return b > h;
  }
  return false;
}

export class InvalidSignatureFormatError extends BaseError {
  override name = "InvalidSignatureFormatError";
  override readonly code = "BadSignatureFormat";
  constructor(reason: string) {
    super(`Signature is not a valid 65-byte secp256k1 signature: ${reason}.`, {
      metaMessages: ["Send r || s || v as 0x-prefixed hex, 65 bytes, v in {27, 28}, s in the lower half."],
    });
  }
}

/** The checksummed (EIP-55) address of an uncompressed public key, with the fast keccak. */
export function addressFromPublicKey(uncompressed: Uint8Array): Address {
  const lower = keccak256Hex(uncompressed.subarray(1)).slice(26);
  const hash = keccak256Hex(Buffer.from(lower, "ascii"));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += c >= "a" && Number.parseInt(hash[i + 2]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out as Address;
}

/** Addresses of recently recovered public keys: a peer signs many messages, so its two keccaks
 *  and the checksum run once per peer rather than once per signature. Insertion-ordered, the
 *  oldest entry goes first when full. */
const ADDRESS_CACHE_MAX = 4096;
const addressCache = new Map<string, Address>();

/** The other way round, for recoverDigest's `expected` shortcut: address -> public key. */
const publicKeyCache = new Map<string, Buffer>();

function cachedAddressFromPublicKey(uncompressed: Uint8Array): Address {
  const key = Buffer.from(uncompressed.buffer, uncompressed.byteOffset, uncompressed.byteLength).toString(
    "latin1",
  );
  let address = addressCache.get(key);
  if (address === undefined) {
    address = addressFromPublicKey(uncompressed);
    if (addressCache.size >= ADDRESS_CACHE_MAX) {
      addressCache.delete(addressCache.keys().next().value!);
      publicKeyCache.delete(publicKeyCache.keys().next().value!);
    }
    addressCache.set(key, address);
    publicKeyCache.set(address, Buffer.from(uncompressed));
  }
  return address;
}

export function createSigner(privateKey: Hex): Signer {
  if (!BYTES32_PATTERN.test(privateKey)) {
    throw new BaseError("Private key is not a valid secp256k1 key.", {
      metaMessages: ["Pass 32 bytes of 0x-prefixed hex."],
    });
  }
  const key = fromHex(privateKey);
  if (!secp256k1.privateKeyVerify(key)) {
    throw new BaseError("Private key is not a valid secp256k1 key.", {
      metaMessages: ["Pass 32 bytes of 0x-prefixed hex."],
    });
  }
  const address = addressFromPublicKey(secp256k1.publicKeyCreate(key, false));
  return {
    address,
    signDigest(digest: Hex): Hex {
      const digestBytes = exactHex(digest, 32);
      if (!digestBytes) throw new RangeError("digest must be 32 bytes of 0x-prefixed hex");
      const out = Buffer.allocUnsafe(65);
      const { recid } = secp256k1.ecdsaSign(digestBytes, key, {}, out.subarray(0, 64));
      out[64] = 27 + recid;
      return `0x${out.toString("hex")}`;
    },
  };
}

/** Signers recovered lately, by digest and signature: the same signed message reaches every
 *  subscriber, and agents that share a process (the simulator's in-process bus) recover it once.
 *  Recovery is a pure function, so a hit returns exactly what recovering again would. FIFO-bounded. */
const recovered = new Map<string, Address>();
const RECOVERED_MAX = 8_192;

/** Recovers the signer of a digest. Throws InvalidSignatureFormatError on any malformed input.
 *  `expected` (the claimed signer) only makes it faster: when the recovered key is the one seen
 *  for that address before, its address is known without hashing or a lookup by key. */
export function recoverDigest(digest: Hex, signature: Hex, expected?: Address): Address {
  const key = typeof digest === "string" && typeof signature === "string" ? digest + signature : undefined;
  const hit = key === undefined ? undefined : recovered.get(key);
  if (hit !== undefined) return hit;
  const address = recoverUncached(digest, signature, expected);
  if (key !== undefined) {
    if (recovered.size >= RECOVERED_MAX) recovered.delete(recovered.keys().next().value!);
    recovered.set(key, address);
  }
  return address;
}

function recoverUncached(digest: Hex, signature: Hex, expected?: Address): Address {
  const bytes = exactHex(signature, 65);
  if (!bytes) throw new InvalidSignatureFormatError("wrong length");
  const v = bytes[64]!;
  if (v !== 27 && v !== 28) throw new InvalidSignatureFormatError("v must be 27 or 28");
  if (isHighOrZeroS(bytes)) throw new InvalidSignatureFormatError("s is zero or in the upper half");
  const digestBytes = exactHex(digest, 32);
  if (!digestBytes) throw new InvalidSignatureFormatError("the digest is not 32 bytes of hex");
  try {
    const pub = secp256k1.ecdsaRecover(bytes.subarray(0, 64), v - 27, digestBytes, false);
    if (expected !== undefined && publicKeyCache.get(expected)?.equals(pub)) return expected;
    return cachedAddressFromPublicKey(pub);
  } catch (cause) {
    throw new InvalidSignatureFormatError(cause instanceof Error ? cause.message : "recovery failed");
  }
}
