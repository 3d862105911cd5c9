/**
 * EIP-712 hashing of envelopes, in the project's one domain (core/agreement.ts). `hashEnvelope`
 * is a hand-rolled encoder with precomputed type, kind and domain hashes: it costs two keccaks
 * (core/keccak.ts, ~6x faster than viem's), against ~20 object-walking steps in viem's generic
 * hashTypedData; a test proves both agree.
 */
import { type Address, type Hex, keccak256, stringToBytes } from "viem";
import type { ArbiterDomain } from "../../core/agreement.ts";
import { eip712Digest, writeHexWord, writeUintWord } from "../../core/eip712-words.ts";
import { keccak256Hex } from "../../core/keccak.ts";
import { canonicalJson } from "./canonical.ts";

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

function kindHash(kind: string): Uint8Array {
  let h = kindHashes.get(kind);
  if (!h) {
    h = keccak256(stringToBytes(kind), "bytes");
    if (kindHashes.size < 64) kindHashes.set(kind, h);
  }
  return h;
}

/** keccak256 of the body's canonical JSON. */
export function hashBody(body: unknown): Hex {
  return hashCanonical(canonicalJson(body));
}

export function hashCanonical(json: string): Hex {
  return keccak256Hex(Buffer.from(json, "utf8"));
}

/** The EIP-712 digest of an envelope: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(Envelope)). */
// One encoding buffer, rewritten in full by every call (hashing is synchronous): no allocation
// and zero-fill per message. The uint writers set the whole 8 low bytes of their word and the
// high bytes of uint words stay zero, as nothing else writes there.
const structBuf = Buffer.alloc(32 * 10);
const structView = new DataView(structBuf.buffer, structBuf.byteOffset, structBuf.byteLength);
structBuf.set(TYPE_HASH, 0);

export function hashEnvelope(domain: ArbiterDomain, f: EnvelopeFields): Hex {
  const buf = structBuf;
  const view = structView;
  writeUintWord(view, 32, f.v, 0xffff);
  writeHexWord(buf, 64, f.sessionId, 32);
  writeUintWord(view, 96, f.seq, 0xffffffff);
  buf.set(kindHash(f.kind), 128);
  writeHexWord(buf, 160, f.from, 20);
  writeHexWord(buf, 192, f.to, 20);
  writeUintWord(view, 224, f.expiry, Number.MAX_SAFE_INTEGER);
  writeHexWord(buf, 256, f.nonce, 32);
  writeHexWord(buf, 288, f.bodyHash, 32);
  return eip712Digest(domain, buf);
}
