/**
 * Builds, signs and serialises one message. The body is written once as canonical JSON; those
 * exact bytes are both hashed (bodyHash) and embedded in the envelope, whose keys are written in
 * sorted order too, so every message we send is itself canonical JSON.
 */
import { randomBytes } from "node:crypto";
import { type Address, getAddress, type Hex, zeroAddress } from "viem";
import { z } from "zod";
import type { ArbiterDomain } from "../../core/agreement.ts";
import { bytes32 } from "../../core/schema.ts";
import type { Signer } from "../../core/signer.ts";
import { canonicalJson } from "./canonical.ts";
import { hashCanonical, hashEnvelope } from "./envelope-hash.ts";
import { SchemaError } from "./errors.ts";
import { type BodyOf, BodySchemas, type MessageKind, type MessageOf, WIRE_VERSION } from "./schemas.ts";

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

export function randomNonce(): Hex {
  return `0x${randomBytes(32).toString("hex")}`;
}

export function encodeMessage<K extends MessageKind>(params: EncodeMessageParameters<K>): EncodedMessage<K> {
  const { kind, signer, domain } = params;
  const header = HeaderSchema.safeParse({
    sessionId: params.sessionId,
    seq: params.seq,
    expiry: params.expiry,
    nonce: params.nonce ?? randomNonce(),
  });
  if (!header.success)
    throw new SchemaError({ issues: z.prettifyError(header.error), direction: "outbound" });
  const { sessionId, seq, expiry, nonce } = header.data;
  let to: Address;
  try {
    to = getAddress(params.to ?? zeroAddress);
  } catch {
    throw new SchemaError({ issues: `✖ Invalid address\n  → at to`, direction: "outbound" });
  }

  const bodyJson = canonicalJson(params.body);
  const parsed = BodySchemas[kind].safeParse(JSON.parse(bodyJson));
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
