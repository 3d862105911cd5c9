/**
 * Benchmark 1, the CPU baselines: secp256k1 sign and recover (libsecp256k1 through core/signer,
 * and viem's JS for comparison), keccak, EIP-712 hashing, and the wire envelope's encode and
 * decode, whole and split into their steps. Per-operation medians in microseconds.
 */
import secp256k1 from "secp256k1";
import { type Address, type Hex, hexToBytes, keccak256, recoverAddress, toHex, zeroAddress } from "viem";
import { sign as viemSign } from "viem/accounts";
import { hashAgreement, signAgreement, verifyAgreementSignature } from "../core/agreement.ts";
import { recoverDigest } from "../core/signer.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { canonicalJson } from "../negotiation/wire/canonical.ts";
import { decodeMessage } from "../negotiation/wire/decode-message.ts";
import { encodeMessage, randomNonce } from "../negotiation/wire/encode-message.ts";
import { hashBody, hashCanonical, hashEnvelope } from "../negotiation/wire/envelope-hash.ts";
import { createReplayCache } from "../negotiation/wire/replay-cache.ts";
import { type BodyOf, BodySchemas, type MessageKind, MessageSchema } from "../negotiation/wire/schemas.ts";
import { progress } from "./env.ts";
import {
  benchDomain,
  benchKey,
  benchSigner,
  nextSessionId,
  rfqFor,
  sampleAgreement,
  sampleTerms,
} from "./fixtures.ts";
import { measureOp, measureOpAsync, type OpMeasurement } from "./stats.ts";

export type SignResult = {
  ops: Record<string, OpMeasurement & { what: string }>;
  /** Encoded message sizes, bytes. */
  messageBytes: Record<MessageKind, number>;
  derived: {
    /** core/signer sign + recover of one digest: the "raw signing cost" of one message, us. */
    signPlusRecoverUs: number;
    /** viem (JS) sign + recover over core/signer's, x. */
    viemSlowdown: number;
    /** encode + decode of a typical offer, us: what the wire protocol costs per message. */
    offerEncodePlusDecodeUs: number;
  };
};

const KINDS = ["rfq", "offer", "accept", "confirm"] as const;

export async function benchSign(): Promise<SignResult> {
  const lender = benchSigner("sign-lender");
  const borrower = benchSigner("sign-borrower");
  const lenderKey = benchKey("sign-lender");
  const peers = createPeerRegistry([
    { address: lender.address, name: "lender", protocol: "lending" },
    { address: borrower.address, name: "borrower", protocol: "perp" },
  ]);
  const ops: SignResult["ops"] = {};
  const run = (name: string, what: string, op: (i: number) => unknown) => {
    progress(`sign: ${name}`);
    ops[name] = { what, ...measureOp(op) };
  };
  const runAsync = async (name: string, what: string, op: (i: number) => Promise<unknown>) => {
    progress(`sign: ${name}`);
    ops[name] = { what, ...(await measureOpAsync(op, { batches: 40 })) };
  };

  // 256 distinct digests so no layer can cache its way out.
  const digests: Hex[] = Array.from({ length: 256 }, (_, i) => keccak256(toHex(`digest ${i}`)));
  const sigs = digests.map((d) => lender.signDigest(d));
  const digestBytes = digests.map((d) => hexToBytes(d));
  const keyBytes = hexToBytes(lenderKey);
  const rawSigs = digestBytes.map((d) => secp256k1.ecdsaSign(d, keyBytes));

  // --- secp256k1 ---------------------------------------------------------------------------
  run("secp256k1.sign", "core/signer signDigest (libsecp256k1 + hex)", (i) =>
    lender.signDigest(digests[i & 255]!),
  );
  run("secp256k1.recover", "core/signer recoverDigest (libsecp256k1 + address)", (i) =>
    recoverDigest(digests[i & 255]!, sigs[i & 255]!),
  );
  run("secp256k1.sign.native", "secp256k1.ecdsaSign on bytes (no hex, no checks)", (i) =>
    secp256k1.ecdsaSign(digestBytes[i & 255]!, keyBytes),
  );
  run("secp256k1.recover.native", "secp256k1.ecdsaRecover on bytes (no address derivation)", (i) => {
    const s = rawSigs[i & 255]!;
    return secp256k1.ecdsaRecover(s.signature, s.recid, digestBytes[i & 255]!, false);
  });
  await runAsync("viem.sign", "viem/accounts sign (noble-curves, JS)", (i) =>
    viemSign({ hash: digests[i & 255]!, privateKey: lenderKey, to: "hex" }),
  );
  await runAsync("viem.recover", "viem recoverAddress (noble-curves, JS)", (i) =>
    recoverAddress({ hash: digests[i & 255]!, signature: sigs[i & 255]! }),
  );

  // --- hashing -----------------------------------------------------------------------------
  const text320 = "x".repeat(320);
  const bytes320 = new TextEncoder().encode(text320);
  run("keccak.wire.320B", "wire keccak of 320 bytes (hashCanonical: UTF-8 + keccak + hex)", () =>
    hashCanonical(text320),
  );
  run("keccak.viem.320B", "viem keccak256 of 320 bytes", () => keccak256(bytes320));
  const sessionId = nextSessionId();
  const agreement = sampleAgreement({ sessionId, lender: lender.address, borrower: borrower.address });
  run("eip712.hashAgreement", "core/agreement hashAgreement (EIP-712 digest of an Agreement)", () =>
    hashAgreement(benchDomain, agreement),
  );
  const agreementSig = signAgreement(benchDomain, agreement, lender);
  run("eip712.signAgreement", "hashAgreement + sign", () => signAgreement(benchDomain, agreement, lender));
  run("eip712.verifyAgreement", "hashAgreement + recover + compare", () =>
    verifyAgreementSignature(benchDomain, agreement, agreementSig, "lender"),
  );
  const envelope = {
    v: 0,
    sessionId,
    seq: 3,
    kind: "offer",
    from: lender.address,
    to: borrower.address,
    expiry: Date.now() + 60_000,
    nonce: randomNonce(),
    bodyHash: hashBody({ terms: sampleTerms }),
  };
  run("eip712.hashEnvelope", "wire hashEnvelope (hand-rolled EIP-712, 2 keccaks)", () =>
    hashEnvelope(benchDomain, envelope),
  );

  // --- wire encode / decode ----------------------------------------------------------------
  // The bilateral kinds; sealed-bid commit/reveal and margin calls go through the same codec.
  type BenchKind = Exclude<MessageKind, "commit" | "reveal" | "margin.call">;
  const bodies: { [K in BenchKind]: BodyOf<K> } = {
    rfq: rfqFor(),
    offer: { terms: sampleTerms, inReplyTo: 2 },
    accept: { agreement, signature: agreementSig },
    confirm: { agreementId: hashAgreement(benchDomain, agreement), signature: agreementSig },
    reject: { reason: "rate too high" },
  };
  const encodeOne = (kind: BenchKind, seq: number) =>
    encodeMessage({
      domain: benchDomain,
      signer: lender,
      kind,
      sessionId,
      seq,
      ...(kind === "rfq" ? {} : { to: borrower.address }),
      expiry: Date.now() + 60_000,
      body: bodies[kind],
    });
  const messageBytes = {} as Record<MessageKind, number>;
  for (const kind of [...KINDS, "reject" as const]) messageBytes[kind] = encodeOne(kind, 0).bytes.length;
  for (const kind of KINDS) run(`wire.encode.${kind}`, `encodeMessage(${kind})`, (i) => encodeOne(kind, i));

  const decodeNow = Date.now();
  for (const kind of KINDS) {
    // Distinct messages (seq, nonce) so the replay cache accepts each; the cache is included
    // because the endpoint always runs it.
    const msgs = Array.from({ length: 1024 }, (_, i) => encodeOne(kind, i).bytes);
    let replay = createReplayCache();
    run(`wire.decode.${kind}`, `decodeMessage(${kind}) incl. replay cache`, (i) => {
      if ((i & 1023) === 0) replay = createReplayCache();
      return decodeMessage(msgs[i & 1023]!, {
        domain: benchDomain,
        me: borrower.address,
        peers,
        now: decodeNow,
        replay,
        broadcast: kind === "rfq",
      });
    });
  }

  // --- the steps of encode and decode, for the offer and the accept -------------------------
  for (const kind of ["offer", "accept"] as const) {
    const bytes = encodeOne(kind, 1).bytes;
    const text = new TextDecoder().decode(bytes);
    const raw = JSON.parse(text) as { body: unknown };
    const bodyJson = canonicalJson(bodies[kind]);
    const parsed = MessageSchema.parse(raw);
    run(`decode.${kind}.json`, "UTF-8 decode + JSON.parse", () =>
      JSON.parse(new TextDecoder().decode(bytes)),
    );
    run(`decode.${kind}.zod`, "MessageSchema.safeParse (incl. address checksums)", () =>
      MessageSchema.safeParse(raw),
    );
    run(`decode.${kind}.bodyHash`, "hashBody: canonicalJson + keccak", () => hashBody(raw.body));
    run(`decode.${kind}.recover`, "recoverDigest of the envelope digest", () =>
      recoverDigest(digests[0]!, parsed.sig),
    );
    run(`encode.${kind}.canonical`, "canonicalJson(body)", () => canonicalJson(bodies[kind]));
    run(`encode.${kind}.revalidate`, "outbound BodySchemas.safeParse(JSON.parse(bodyJson))", () =>
      BodySchemas[kind].safeParse(JSON.parse(bodyJson)),
    );
  }

  // A sanity check that the fixtures are what the protocol accepts.
  const check = decodeMessage(encodeOne("offer", 7).bytes, {
    domain: benchDomain,
    me: borrower.address,
    peers,
    now: Date.now(),
  });
  if ((check.message.from as Address) !== lender.address || check.message.to === zeroAddress) {
    throw new Error("bench fixture: offer did not round-trip");
  }

  const m = (k: string) => ops[k]!.median;
  return {
    ops,
    messageBytes,
    derived: {
      signPlusRecoverUs: m("secp256k1.sign") + m("secp256k1.recover"),
      viemSlowdown: (m("viem.sign") + m("viem.recover")) / (m("secp256k1.sign") + m("secp256k1.recover")),
      offerEncodePlusDecodeUs: m("wire.encode.offer") + m("wire.decode.offer"),
    },
  };
}
