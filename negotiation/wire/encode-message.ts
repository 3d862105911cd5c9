/**
 * Builds, signs and serialises one message. The body is written once as canonical JSON; those
 * exact bytes are both hashed (bodyHash) and embedded in the envelope, whose keys are written in
 * sorted order too, so every message we send is itself canonical JSON.
 */
import { randomFillSync } from "node:crypto";
import { type Address, type Hex, zeroAddress } from "viem";
import { z } from "zod";
import type { ArbiterDomain } from "../../core/agreement.ts";
import { BYTES32_PATTERN } from "../../core/formats.ts";
import { bytes32 } from "../../core/schema.ts";
import type { Signer } from "../../core/signer.ts";
import { canonicalJson } from "./canonical.ts";
import { checkedAddress } from "./checksum.ts";
import { hashCanonical, hashEnvelope } from "./envelope-hash.ts";
import { SchemaError } from "./errors.ts";
import { type BodyOf, type MessageKind, type MessageOf, parseBody, WIRE_VERSION } from "./schemas.ts";

export type EncodeMessageParameters<K extends MessageKind> = {
  domain: ArbiterDomain;
  signer: Signer;
  kind: K;
  sessionId: Hex;
  /** Per sender and session, from 0, strictly increasing. */
  seq: number;
  /** Recipient; for a broadcast `rfq` the zero address (the default for rfq). */
  to?: Address;
  /** Unix ms. */
  expiry: number;
  /** 32 random bytes; generated when omitted. */
  nonce?: Hex;
  body: BodyOf<K>;
};

export type EncodedMessage<K extends MessageKind> = {
  bytes: Uint8Array;
  /** The message as a receiver will see it after decoding. */
  message: MessageOf<K>;
  /** EIP-712 digest of the envelope (what `sig` signs). */
  digest: Hex;
};

const HeaderSchema = z.object({
  sessionId: bytes32,
  seq: z.number().int().min(0).max(0xffffffff),
  expiry: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  nonce: bytes32,
});

// Nonces are drawn from a pool refilled 128 at a time: one randomBytes call per message cost
// ~2 us, a slice of the pool ~0.1 us. Nonces are public (they travel in the envelope), so holding
// future ones in memory gives nothing away.
const noncePool = Buffer.alloc(32 * 128);
let nonceOffset = noncePool.length;

export function randomNonce(): Hex {
  if (nonceOffset === noncePool.length) {
    randomFillSync(noncePool);
    nonceOffset = 0;
  }
  const nonce = `0x${noncePool.toString("hex", nonceOffset, nonceOffset + 32)}` as Hex;
  nonceOffset += 32;
  return nonce;
}

type Header = { sessionId: Hex; seq: number; expiry: number; nonce: Hex };

/** HeaderSchema's checks by hand for the common (valid) case; zod for the error otherwise. */
function parseHeader(h: Header): Header {
  const { sessionId, seq, expiry, nonce } = h;
  if (
    BYTES32_PATTERN.test(sessionId) &&
    BYTES32_PATTERN.test(nonce) &&
    Number.isInteger(seq) &&
    seq >= 0 &&
    seq <= 0xffffffff &&
    Number.isInteger(expiry) &&
    expiry >= 0 &&
    expiry <= Number.MAX_SAFE_INTEGER
  ) {
    return { sessionId: sessionId.toLowerCase() as Hex, seq, expiry, nonce: nonce.toLowerCase() as Hex };
  }
  const header = HeaderSchema.safeParse(h);
  if (!header.success)
    throw new SchemaError({ issues: z.prettifyError(header.error), direction: "outbound" });
  return header.data;
}

export function encodeMessage<K extends MessageKind>(params: EncodeMessageParameters<K>): EncodedMessage<K> {
  const { kind, signer, domain } = params;
  const { sessionId, seq, expiry, nonce } = parseHeader({
    sessionId: params.sessionId,
    seq: params.seq,
    expiry: params.expiry,
    nonce: params.nonce ?? randomNonce(),
  });
  const to = checkedAddress(params.to ?? zeroAddress);
  if (to === undefined)
    throw new SchemaError({ issues: `✖ Invalid address\n  → at to`, direction: "outbound" });

  const bodyJson = canonicalJson(params.body);
  const parsed = parseBody(kind, JSON.parse(bodyJson));
  if (!parsed.success)
    throw new SchemaError({ issues: z.prettifyError(parsed.error), direction: "outbound" });

  const from = signer.address;
  const digest = hashEnvelope(domain, {
    v: WIRE_VERSION,
    sessionId,
    seq,
    kind,
    from,
    to,
    expiry,
    nonce,
    bodyHash: hashCanonical(bodyJson),
  });
  const sig = signer.signDigest(digest);
  const json =
    `{"body":${bodyJson},"expiry":${expiry},"from":"${from}","kind":"${kind}","nonce":"${nonce}",` +
    `"seq":${seq},"sessionId":"${sessionId}","sig":"${sig}","to":"${to}","v":${WIRE_VERSION}}`;
  const message = { v: WIRE_VERSION, kind, sessionId, seq, from, to, expiry, nonce, body: parsed.data, sig };
  return { bytes: Buffer.from(json, "utf8"), message: message as unknown as MessageOf<K>, digest };
}
