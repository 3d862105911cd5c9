/**
 * Fast secp256k1 signing over 32-byte digests with libsecp256k1 (the `secp256k1` package ships
 * prebuilt binaries). viem's JS signer costs ~630 us to sign and ~2 ms to recover; this costs
 * ~55 us and ~80 us, which is what bounds negotiation throughput. Signatures are the usual
 * 65-byte r || s || v (v = 27 | 28), low-s only, so the contract and viem accept them.
 */
import secp256k1 from "secp256k1";
import { type Address, bytesToHex, type Hex, hexToBytes } from "viem";
import { BaseError } from "./errors.ts";
import { keccak256Hex } from "./keccak.ts";

export interface Signer {
  readonly address: Address;
  /** Signs a 32-byte digest (already hashed, e.g. an EIP-712 digest). */
  signDigest(digest: Hex): Hex;
}

/** Half the curve order: signatures with s above it are the malleable twin and are refused. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export class InvalidSignatureFormatError extends BaseError {
  override name = "InvalidSignatureFormatError";
  override readonly code = "BadSignatureFormat";
  constructor(reason: string) {
    super(`Signature is not a valid 65-byte secp256k1 signature: ${reason}.`, {
      metaMessages: ["Send r || s || v as 0x-prefixed hex, 65 bytes, v in {27, 28}, s in the lower half."],
    });
  }
}

/** The checksummed (EIP-55) address of an uncompressed public key, with the fast keccak: this
 *  runs once per recovered signature. */
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

export function createSigner(privateKey: Hex): Signer {
  const key = hexToBytes(privateKey);
  if (key.length !== 32 || !secp256k1.privateKeyVerify(key)) {
    throw new BaseError("Private key is not a valid secp256k1 key.", {
      metaMessages: ["Pass 32 bytes of 0x-prefixed hex."],
    });
  }
  const address = addressFromPublicKey(secp256k1.publicKeyCreate(key, false));
  return {
    address,
    signDigest(digest: Hex): Hex {
      const { signature, recid } = secp256k1.ecdsaSign(hexToBytes(digest), key);
      const out = new Uint8Array(65);
      out.set(signature, 0);
      out[64] = 27 + recid;
      return bytesToHex(out);
    },
  };
}

/** Recovers the signer of a digest. Throws InvalidSignatureFormatError on any malformed input. */
export function recoverDigest(digest: Hex, signature: Hex): Address {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new InvalidSignatureFormatError("wrong length");
  const bytes = hexToBytes(signature);
  const v = bytes[64]!;
  if (v !== 27 && v !== 28) throw new InvalidSignatureFormatError("v must be 27 or 28");
  const s = BigInt(bytesToHex(bytes.subarray(32, 64)));
  if (s === 0n || s > HALF_N) throw new InvalidSignatureFormatError("s is zero or in the upper half");
  try {
    const pub = secp256k1.ecdsaRecover(bytes.subarray(0, 64), v - 27, hexToBytes(digest), false);
    return addressFromPublicKey(pub);
  } catch (cause) {
    throw new InvalidSignatureFormatError(cause instanceof Error ? cause.message : "recovery failed");
  }
}
