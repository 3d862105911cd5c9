/**
 * EIP-712 hashing of envelopes, in the project's one domain (core/agreement.ts). `hashEnvelope`
 * is a hand-rolled encoder with precomputed type, kind and domain hashes: it costs two keccaks
 * (./keccak.ts, ~6x faster than viem's), against ~20 object-walking steps in viem's generic
 * hashTypedData; a test proves both agree.
 */
import { type Address, domainSeparator, type Hex, keccak256, stringToBytes } from "viem";
import { type ArbiterDomain, eip712Domain } from "../../core/agreement.ts";
import { canonicalJson } from "./canonical.ts";
import { keccak256Bytes, keccak256Hex } from "./keccak.ts";

export const envelopeTypes = {
  Envelope: [
    { name: "v", type: "uint16" },
    { name: "sessionId", type: "bytes32" },
    { name: "seq", type: "uint32" },
    { name: "kind", type: "string" },
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "bytes32" },
    { name: "bodyHash", type: "bytes32" },
  ],
} as const;

export const ENVELOPE_TYPE =
  "Envelope(uint16 v,bytes32 sessionId,uint32 seq,string kind,address from,address to,uint64 expiry,bytes32 nonce,bytes32 bodyHash)";

/** The signed fields of an envelope (everything but `body` and `sig`, plus the body's hash). */
export type EnvelopeFields = {
  v: number;
  sessionId: Hex;
  seq: number;
  kind: string;
  from: Address;
  to: Address;
  expiry: number;
  nonce: Hex;
  bodyHash: Hex;
};

const TYPE_HASH = keccak256(stringToBytes(ENVELOPE_TYPE), "bytes");
const kindHashes = new Map<string, Uint8Array>();
const separators = new Map<string, Uint8Array>();

function kindHash(kind: string): Uint8Array {
  let h = kindHashes.get(kind);
  if (!h) {
    h = keccak256(stringToBytes(kind), "bytes");
    if (kindHashes.size < 64) kindHashes.set(kind, h);
  }
  return h;
}

function separator(domain: ArbiterDomain): Uint8Array {
  const key = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}`;
  let s = separators.get(key);
  if (!s) {
    s = Buffer.from(domainSeparator({ domain: eip712Domain(domain) }).slice(2), "hex");
    separators.set(key, s);
  }
  return s;
}

const HEX = /^0x[0-9a-fA-F]*$/;

function writeHex(buf: Uint8Array, offset: number, hex: string, bytes: number): void {
  if (hex.length !== 2 + bytes * 2 || !HEX.test(hex))
    throw new RangeError(`expected ${bytes} bytes of 0x hex`);
  buf.set(Buffer.from(hex.slice(2), "hex"), offset + 32 - bytes);
}

function writeUint(view: DataView, offset: number, n: number, max: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new RangeError(`uint out of range: ${n}`);
  view.setUint32(offset + 24, Math.floor(n / 0x1_0000_0000));
  view.setUint32(offset + 28, n >>> 0);
}

/** keccak256 of the body's canonical JSON. */
export function hashBody(body: unknown): Hex {
  return hashCanonical(canonicalJson(body));
}

export function hashCanonical(json: string): Hex {
  return keccak256Hex(Buffer.from(json, "utf8"));
}

/** The EIP-712 digest of an envelope: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(Envelope)). */
export function hashEnvelope(domain: ArbiterDomain, f: EnvelopeFields): Hex {
  const buf = new Uint8Array(32 * 10);
  const view = new DataView(buf.buffer);
  buf.set(TYPE_HASH, 0);
  writeUint(view, 32, f.v, 0xffff);
  writeHex(buf, 64, f.sessionId, 32);
  writeUint(view, 96, f.seq, 0xffffffff);
  buf.set(kindHash(f.kind), 128);
  writeHex(buf, 160, f.from, 20);
  writeHex(buf, 192, f.to, 20);
  writeUint(view, 224, f.expiry, Number.MAX_SAFE_INTEGER);
  writeHex(buf, 256, f.nonce, 32);
  writeHex(buf, 288, f.bodyHash, 32);
  const digestInput = new Uint8Array(66);
  digestInput[0] = 0x19;
  digestInput[1] = 0x01;
  digestInput.set(separator(domain), 2);
  digestInput.set(keccak256Bytes(buf), 34);
  return keccak256Hex(digestInput);
}
