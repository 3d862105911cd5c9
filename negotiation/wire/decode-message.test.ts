import fc from "fast-check";
import { type Address, getAddress, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { createPeerRegistry } from "../peers.ts";
import { type DecodeContext, decodeMessage } from "./decode-message.ts";
import { encodeMessage } from "./encode-message.ts";
import {
  BadSignatureError,
  ExpiredMessageError,
  ExpiryTooFarError,
  MalformedMessageError,
  MessageTooLargeError,
  OwnMessageError,
  ReplayError,
  SchemaError,
  UnknownPeerError,
  UnsupportedVersionError,
  type WireError,
  WrongRecipientError,
} from "./errors.ts";
import {
  newSigner,
  sampleBody,
  sampleRfq,
  sampleTerms,
  sessionIdOf,
  signRaw,
  testDomain,
} from "./fixtures.ts";
import { createReplayCache } from "./replay-cache.ts";
import { MAX_MESSAGE_BYTES, MESSAGE_KINDS, type MessageKind } from "./schemas.ts";
import { rfqSubject } from "./subjects.ts";

const NOW = 1_800_000_000_000;
const lender = newSigner();
const borrower = newSigner();
const stranger = newSigner();
const peers = createPeerRegistry([
  { address: lender.address, name: "lender", protocol: "lending" },
  { address: borrower.address, name: "borrower", protocol: "amm" },
]);
const ctx = (over: Partial<DecodeContext> = {}): DecodeContext => ({
  domain: testDomain,
  me: borrower.address,
  peers,
  now: NOW,
  replay: createReplayCache(),
  ...over,
});
const utf8 = (s: string) => new TextEncoder().encode(s);

function valid(params: { kind?: MessageKind; seq?: number; signer?: typeof lender; expiry?: number } = {}) {
  const kind = params.kind ?? "offer";
  const signer = params.signer ?? lender;
  const sessionId = sessionIdOf("s");
  return encodeMessage({
    domain: testDomain,
    signer,
    kind,
    sessionId,
    seq: params.seq ?? 0,
    to: kind === "rfq" ? zeroAddress : borrower.address,
    expiry: params.expiry ?? NOW + 10_000,
    body: sampleBody(kind, { sessionId, sender: signer, peer: borrower.address }),
  });
}
const raw = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

function rejects<E extends WireError>(bytes: Uint8Array, c: DecodeContext, cls: new (...a: never[]) => E): E {
  const before = c.replay?.size;
  let caught: unknown;
  try {
    decodeMessage(bytes, c);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(cls);
  expect(c.replay?.size).toBe(before); // no state change
  return caught as E;
}

describe("decodeMessage: valid messages", () => {
  it.each(MESSAGE_KINDS)("round-trips a %s", (kind) => {
    const enc = valid({ kind });
    const { message, digest } = decodeMessage(enc.bytes, ctx());
    expect(message).toEqual(enc.message);
    expect(digest).toBe(enc.digest);
  });

  it("round-trips any valid offer terms (property)", () => {
    const { replay: _none, ...c } = ctx();
    fc.assert(
      fc.property(
        fc.record({
          principal: fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }),
          rateBps: fc.integer({ min: 0, max: 0xffffffff }),
          tenor: fc.integer({ min: 0, max: 0xffffffff }),
          collateralToken: fc
            .uint8Array({ minLength: 20, maxLength: 20 })
            .map((b) => getAddress(Buffer.from(b).toString("hex").padStart(42, "0x"))),
          collateral: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
          haircutBps: fc.integer({ min: 0, max: 10_000 }),
        }),
        fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
        (terms, inReplyTo) => {
          const body = inReplyTo === undefined ? { terms } : { terms, inReplyTo };
          const enc = encodeMessage({
            domain: testDomain,
            signer: lender,
            kind: "offer",
            sessionId: sessionIdOf("p"),
            seq: 3,
            to: borrower.address,
            expiry: NOW + 1,
            body,
          });
          expect(decodeMessage(enc.bytes, c).message.body).toEqual(body);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("accepts lowercase addresses and hex from other implementations (signature covers the bytes sent)", () => {
    const enc = valid();
    const obj = raw(enc.bytes);
    obj.from = (obj.from as string).toLowerCase();
    obj.to = (obj.to as string).toLowerCase();
    const body = obj.body as { terms: Record<string, unknown> };
    body.terms.collateralToken = (body.terms.collateralToken as string).toLowerCase();
    const { message } = decodeMessage(utf8(signRaw(obj, lender)), ctx());
    expect(message.from).toBe(lender.address);
    expect(message.kind === "offer" && message.body.terms.collateralToken).toBe(sampleTerms.collateralToken);
  });

  it("accepts an rfq addressed to the zero address or directly to me", () => {
    decodeMessage(valid({ kind: "rfq" }).bytes, ctx({ broadcast: true }));
    const direct = raw(valid({ kind: "rfq" }).bytes);
    direct.to = borrower.address;
    decodeMessage(utf8(signRaw(direct, lender)), ctx());
  });
});

describe("decodeMessage: refusals", () => {
  it("MessageTooLarge above the size limit, before parsing", () => {
    const bytes = utf8(`{"v":0${" ".repeat(MAX_MESSAGE_BYTES)}}`);
    const err = rejects(bytes, ctx(), MessageTooLargeError);
    expect(err.code).toBe("MessageTooLarge");
  });

  it("MalformedMessage for invalid JSON and invalid UTF-8", () => {
    expect(rejects(utf8('{"v":0,'), ctx(), MalformedMessageError).code).toBe("MalformedMessage");
    rejects(new Uint8Array([0x7b, 0xff, 0x7d]), ctx(), MalformedMessageError);
  });

  it("UnsupportedVersion for any v other than 0, even when signed", () => {
    const obj = raw(valid().bytes);
    for (const v of [1, 0xffff]) {
      const err = rejects(utf8(signRaw({ ...obj, v }, lender)), ctx(), UnsupportedVersionError);
      expect(err.code).toBe("UnsupportedVersion");
    }
    for (const v of ["0", null, -1])
      rejects(utf8(JSON.stringify({ ...obj, v })), ctx(), UnsupportedVersionError);
  });

  it("SchemaViolation with zod's prettified issues", () => {
    const obj = raw(valid().bytes);
    const cases: [Record<string, unknown> | unknown[], string][] = [
      [{ ...obj, sig: undefined }, "sig"],
      [{ ...obj, extra: 1 }, "extra"],
      [{ ...obj, kind: "bid" }, "kind"],
      [{ ...obj, seq: -1 }, "seq"],
      [
        { ...obj, body: { terms: { ...(obj.body as { terms: object }).terms, principal: "-5" } } },
        "principal",
      ],
      [
        { ...obj, body: { terms: { ...(obj.body as { terms: object }).terms, haircutBps: 10_001 } } },
        "haircutBps",
      ],
      [{ ...obj, sessionId: "0x1234" }, "sessionId"],
      [[obj], "object"],
    ];
    for (const [bad, path] of cases) {
      const err = rejects(utf8(JSON.stringify(bad)), ctx(), SchemaError);
      expect(err.code).toBe("SchemaViolation");
      expect(err.issues).toContain(path);
    }
  });

  it("OwnMessage for an echo of my own broadcast", () => {
    const mine = valid({ kind: "rfq", signer: borrower });
    expect(rejects(mine.bytes, ctx({ broadcast: true }), OwnMessageError).code).toBe("OwnMessage");
  });

  it("WrongRecipient for another agent's message, a session message to nobody, or one on a broadcast subject", () => {
    const obj = raw(valid().bytes);
    const err = rejects(utf8(signRaw({ ...obj, to: stranger.address }, lender)), ctx(), WrongRecipientError);
    expect(err.code).toBe("WrongRecipient");
    rejects(utf8(signRaw({ ...obj, to: zeroAddress }, lender)), ctx(), WrongRecipientError);
    rejects(valid().bytes, ctx({ broadcast: true }), WrongRecipientError);
    const rfq = raw(valid({ kind: "rfq" }).bytes);
    rejects(utf8(signRaw({ ...rfq, to: stranger.address }, lender)), ctx(), WrongRecipientError);
    // An RFQ broadcast on another token's subject.
    const rfqBytes = valid({ kind: "rfq" }).bytes;
    const wrongSubject = rfqSubject(testDomain.chainId, stranger.address);
    rejects(rfqBytes, ctx({ broadcast: true, subject: wrongSubject }), WrongRecipientError);
    decodeMessage(
      rfqBytes,
      ctx({ broadcast: true, subject: rfqSubject(testDomain.chainId, sampleRfq.principalToken) }),
    );
  });

  it("UnknownPeer for a correctly signed message from outside the registry", () => {
    const err = rejects(valid({ signer: stranger }).bytes, ctx(), UnknownPeerError);
    expect(err.code).toBe("UnknownPeer");
    expect(err.context.from).toBe(stranger.address);
  });

  it("ExpiredMessage after expiry, ExpiryTooFar beyond the TTL cap", () => {
    const enc = valid({ expiry: NOW - 1 });
    expect(rejects(enc.bytes, ctx(), ExpiredMessageError).code).toBe("ExpiredMessage");
    decodeMessage(valid({ expiry: NOW }).bytes, ctx()); // valid up to and including expiry
    const far = valid({ expiry: NOW + 5 * 60_000 + 1 });
    expect(rejects(far.bytes, ctx(), ExpiryTooFarError).code).toBe("ExpiryTooFar");
  });

  it("BadSignature for garbage, for the wrong key, and for a tampered body", () => {
    const obj = raw(valid().bytes);
    const garbage = { ...obj, sig: `0x${"ab".repeat(64)}1b` };
    expect(rejects(utf8(JSON.stringify(garbage)), ctx(), BadSignatureError).code).toBe("BadSignature");
    const badV = { ...obj, sig: `0x${(obj.sig as string).slice(2, 130)}00` };
    rejects(utf8(JSON.stringify(badV)), ctx(), BadSignatureError);
    // Signed by a stranger but claiming to be the lender.
    rejects(utf8(signRaw(obj, stranger)), ctx(), BadSignatureError);
    const tampered = structuredClone(obj) as { body: { terms: { rateBps: number } } };
    tampered.body.terms.rateBps = 1;
    rejects(utf8(JSON.stringify(tampered)), ctx(), BadSignatureError);
    // Moved to another chain / contract: the domain is part of the digest.
    rejects(valid().bytes, ctx({ domain: { ...testDomain, chainId: 1 } }), BadSignatureError);
  });

  it("Replay for a duplicate, a lower or equal seq, but not for another session", () => {
    const c = ctx();
    const first = valid({ seq: 5 });
    decodeMessage(first.bytes, c);
    expect(rejects(first.bytes, c, ReplayError).reason).toBe("duplicate-nonce");
    const obj = raw(first.bytes);
    for (const seq of [4, 5]) {
      const err = rejects(
        utf8(signRaw({ ...obj, seq, nonce: `0x${"cd".repeat(32)}` }, lender)),
        c,
        ReplayError,
      );
      expect(err.reason).toBe("stale-seq");
    }
    decodeMessage(utf8(signRaw({ ...obj, seq: 6, nonce: `0x${"ef".repeat(32)}` }, lender)), c);
    decodeMessage(valid({ seq: 0 }).bytes, c); // another session starts at 0
  });

  it("records nothing for a message refused by a later check: a forged copy cannot burn the real one", () => {
    const c = ctx();
    const real = valid({ seq: 7 });
    // Same seq and nonce as the real message, signed by someone else.
    rejects(utf8(signRaw(raw(real.bytes), stranger)), c, BadSignatureError);
    expect(c.replay?.size).toBe(0);
    decodeMessage(real.bytes, c);
  });

  it("attaches what it could read of the envelope to the error", () => {
    const err = rejects(valid({ expiry: NOW - 1, seq: 3 }).bytes, ctx(), ExpiredMessageError);
    expect(err.context).toMatchObject({ from: lender.address, kind: "offer", seq: 3 });
    expect(err.context.sessionId).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("never throws anything but a WireError on arbitrary input (property)", () => {
    const c = ctx();
    const base = raw(valid().bytes);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.json().map(utf8),
          fc
            .record({ key: fc.constantFrom(...Object.keys(base)), value: fc.jsonValue() })
            .map(({ key, value }) => utf8(JSON.stringify({ ...base, [key]: value }))),
        ),
        (bytes) => {
          try {
            decodeMessage(bytes, c);
          } catch (err) {
            expect((err as WireError).code).toMatch(/^[A-Z][A-Za-z]+$/);
            expect(err).toHaveProperty("context");
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("encodeMessage", () => {
  it("refuses an invalid outbound body or header with SchemaError", () => {
    const base = {
      domain: testDomain,
      signer: lender,
      sessionId: sessionIdOf("o"),
      seq: 0,
      to: borrower.address as Address,
      expiry: NOW,
    };
    expect(() => encodeMessage({ ...base, kind: "rfq", body: { ...sampleRfq, principal: 0n } })).toThrow(
      SchemaError,
    );
    expect(() => encodeMessage({ ...base, kind: "reject", body: { reason: "x".repeat(300) } })).toThrow(
      SchemaError,
    );
    expect(() => encodeMessage({ ...base, seq: -1, kind: "reject", body: { reason: "x" } })).toThrow(
      SchemaError,
    );
    expect(() =>
      encodeMessage({ ...base, to: "0xnope" as Address, kind: "reject", body: { reason: "x" } }),
    ).toThrow(SchemaError);
  });

  it("writes canonical JSON (sorted keys) so the envelope's own bytes are stable", () => {
    const text = new TextDecoder().decode(valid().bytes);
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
  });
});
