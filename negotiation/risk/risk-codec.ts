/**
 * Encodes and validates risk messages. Same envelope, signing and checks as negotiation messages
 * (negotiation/wire/decode-message.ts), in the same cheapest-first order, plus the risk checks:
 *   size -> UTF-8 + JSON -> version -> schema -> own echo -> broadcast `to` -> known (registered)
 *   peer -> expiry -> envelope signature -> consistency (proposal: evidence hash, session id = the
 *   alert's digest, the alert signature is the sender's; vote: session id = proposal id, an
 *   approving vote's alert signature is the sender's) -> replay (check, then record).
 */
import { type Address, type Hex, zeroAddress } from "viem";
import { z } from "zod";
import { hashRiskAlert, type RiskAlert } from "../../arbitration/typed-data.ts";
import type { ArbiterDomain } from "../../core/agreement.ts";
import { recoverDigest, type Signer } from "../../core/signer.ts";
import type { PeerRegistry } from "../peers.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import { canonicalJson } from "../wire/canonical.ts";
import { randomNonce } from "../wire/encode-message.ts";
import { hashBody, hashCanonical, hashEnvelope } from "../wire/envelope-hash.ts";
import {
  BadSignatureError,
  ExpiredMessageError,
  ExpiryTooFarError,
  InconsistentRiskMessageError,
  MalformedMessageError,
  MessageTooLargeError,
  OwnMessageError,
  SchemaError,
  UnknownPeerError,
  UnsupportedVersionError,
  WrongRecipientError,
} from "../wire/errors.ts";
import type { ReplayCache } from "../wire/replay-cache.ts";
import {
  RISK_WIRE_VERSION,
  type RiskBodyOf,
  RiskBodySchemas,
  type RiskEvidence,
  type RiskKind,
  type RiskMessage,
  type RiskMessageOf,
  RiskMessageSchema,
} from "./risk-schemas.ts";

/** The on-chain alert's id: its EIP-712 digest, which every signer signs. */
export function riskProposalId(domain: ArbiterDomain, alert: RiskAlert): Hex {
  return hashRiskAlert(domain, alert);
}

/** The alert's evidenceHash: keccak256 of the evidence's canonical JSON. */
export function riskEvidenceHash(evidence: RiskEvidence): Hex {
  return hashBody(evidence);
}

export type EncodeRiskMessageParameters<K extends RiskKind> = {
  domain: ArbiterDomain;
  signer: Signer;
  kind: K;
  /** Snapshots: RISK_SNAPSHOT_SESSION; proposals and votes: the proposal id. */
  sessionId: Hex;
  /** Per sender and session, strictly increasing. */
  seq: number;
  /** Unix ms. */
  expiry: number;
  nonce?: Hex;
  body: RiskBodyOf<K>;
};

export type EncodedRiskMessage<K extends RiskKind> = {
  bytes: Uint8Array;
  message: RiskMessageOf<K>;
  digest: Hex;
};

export function encodeRiskMessage<K extends RiskKind>(
  p: EncodeRiskMessageParameters<K>,
): EncodedRiskMessage<K> {
  const nonce = (p.nonce ?? randomNonce()).toLowerCase() as Hex;
  const sessionId = p.sessionId.toLowerCase() as Hex;
  const bodyJson = canonicalJson(p.body);
  const parsed = RiskBodySchemas[p.kind].safeParse(JSON.parse(bodyJson));
  if (!parsed.success)
    throw new SchemaError({ issues: z.prettifyError(parsed.error), direction: "outbound" });
  const from = p.signer.address;
  const fields = {
    v: RISK_WIRE_VERSION,
    sessionId,
    seq: p.seq,
    kind: p.kind,
    from,
    to: zeroAddress,
    expiry: p.expiry,
    nonce,
    bodyHash: hashCanonical(bodyJson),
  };
  const digest = hashEnvelope(p.domain, fields);
  const sig = p.signer.signDigest(digest);
  const json =
    `{"body":${bodyJson},"expiry":${p.expiry},"from":"${from}","kind":"${p.kind}","nonce":"${nonce}",` +
    `"seq":${p.seq},"sessionId":"${sessionId}","sig":"${sig}","to":"${zeroAddress}","v":${RISK_WIRE_VERSION}}`;
  const message = { ...fields, body: parsed.data, sig };
  delete (message as { bodyHash?: Hex }).bodyHash;
  return { bytes: Buffer.from(json, "utf8"), message: message as unknown as RiskMessageOf<K>, digest };
}

export type DecodeRiskContext = {
  domain: ArbiterDomain;
  me: Address;
  /** The registered agents: only their messages count. */
  peers: PeerRegistry;
  /** Unix ms. */
  now: number;
  replay?: ReplayCache;
  maxBytes?: number;
  maxTtlMs?: number;
};

export type DecodedRiskMessage = { message: RiskMessage; digest: Hex };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const malformed = (cause: unknown) =>
  new MalformedMessageError({ reason: cause instanceof Error ? cause.message : "undecodable", cause });

/**
 * What a decode finds that does not depend on the receiver, by the message's text: the same
 * broadcast reaches every agent of a process (the in-process bus, a shared NATS connection), and
 * parsing, schema, hashing and signature recovery were most of each receiver's decode. Only
 * successes are kept (FIFO, bounded); the receiver's own checks run on every decode, in order.
 */
type Parsed = { m: RiskMessage; body: unknown; digests: Map<string, Hex> };
const PARSED_MEMO_SIZE = 1_024;
const parsedMemo = new Map<string, Parsed>();

export function decodeRiskMessage(bytes: Uint8Array, ctx: DecodeRiskContext): DecodedRiskMessage {
  const maxBytes = ctx.maxBytes ?? PROTOCOL_PARAMETERS.maxMessageBytes;
  if (bytes.length > maxBytes) throw new MessageTooLargeError({ size: bytes.length, max: maxBytes });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw malformed(cause);
  }
  const parsed = parsedMemo.get(text) ?? parse(text);
  const { m } = parsed;

  if (m.from.toLowerCase() === ctx.me.toLowerCase()) throw new OwnMessageError();
  if (m.to !== zeroAddress)
    throw new WrongRecipientError({
      to: m.to,
      expected: `${zeroAddress} (risk messages are broadcast)`,
      kind: m.kind,
    });
  if (!ctx.peers.isKnown(m.from)) throw new UnknownPeerError({ from: m.from });
  if (ctx.now > m.expiry) throw new ExpiredMessageError({ expiry: m.expiry, now: ctx.now });
  const maxTtlMs = ctx.maxTtlMs ?? PROTOCOL_PARAMETERS.maxTtlMs;
  if (m.expiry - ctx.now > maxTtlMs)
    throw new ExpiryTooFarError({ expiry: m.expiry, now: ctx.now, maxTtlMs });

  const domainKey = `${ctx.domain.chainId}:${ctx.domain.verifyingContract.toLowerCase()}`;
  let digest = parsed.digests.get(domainKey);
  if (digest === undefined) {
    digest = verified(m, parsed.body, ctx.domain);
    parsed.digests.set(domainKey, digest);
    if (!parsedMemo.has(text)) {
      if (parsedMemo.size >= PARSED_MEMO_SIZE) parsedMemo.delete(parsedMemo.keys().next().value!);
      parsedMemo.set(text, parsed);
    }
  }

  if (ctx.replay) {
    ctx.replay.check(m, ctx.now);
    ctx.replay.record(m, ctx.now);
  }
  return { message: m, digest };
}

/** UTF-8 text -> JSON -> version -> schema. */
function parse(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw malformed(cause);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new SchemaError({ issues: "✖ a message must be a JSON object" });
  const obj = raw as Record<string, unknown>;
  if ("v" in obj && obj.v !== RISK_WIRE_VERSION)
    throw new UnsupportedVersionError({ got: obj.v, supported: RISK_WIRE_VERSION });
  const parsed = RiskMessageSchema.safeParse(obj);
  if (!parsed.success) throw new SchemaError({ issues: z.prettifyError(parsed.error) });
  return { m: parsed.data, body: obj.body, digests: new Map() };
}

/** Envelope signature, then consistency; the envelope digest. */
function verified(m: RiskMessage, body: unknown, domain: ArbiterDomain): Hex {
  const digest = hashEnvelope(domain, {
    v: m.v,
    sessionId: m.sessionId,
    seq: m.seq,
    kind: m.kind,
    from: m.from,
    to: m.to,
    expiry: m.expiry,
    nonce: m.nonce,
    bodyHash: hashBody(body),
  });
  const recovered = recoverOrUndefined(digest, m.sig);
  if (recovered !== m.from) throw new BadSignatureError({ from: m.from, recovered });
  checkConsistency(m, domain);
  return digest;
}

function recoverOrUndefined(digest: Hex, sig: Hex): Address | undefined {
  try {
    return recoverDigest(digest, sig);
  } catch {
    return undefined;
  }
}

function checkConsistency(m: RiskMessage, domain: ArbiterDomain): void {
  if (m.kind === "risk.snapshot") return;
  if (m.kind === "risk.proposal") {
    const { alert, evidence, alertSignature } = m.body;
    if (riskEvidenceHash(evidence) !== alert.evidenceHash)
      throw new InconsistentRiskMessageError({
        reason: "the evidence does not hash to the alert's evidenceHash",
      });
    const id = riskProposalId(domain, alert);
    if (m.sessionId !== id)
      throw new InconsistentRiskMessageError({ reason: "sessionId is not the alert's digest" });
    if (recoverOrUndefined(id, alertSignature) !== m.from)
      throw new InconsistentRiskMessageError({ reason: "the alert signature is not the proposer's" });
    return;
  }
  if (m.sessionId !== m.body.proposalId)
    throw new InconsistentRiskMessageError({ reason: "sessionId is not the voted proposal's id" });
  if (m.body.alertSignature && recoverOrUndefined(m.body.proposalId, m.body.alertSignature) !== m.from)
    throw new InconsistentRiskMessageError({ reason: "the alert signature is not the voter's" });
}
