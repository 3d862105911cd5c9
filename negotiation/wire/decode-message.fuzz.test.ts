/**
 * Property-based fuzzing of the inbound path (decodeMessage, and createEndpoint over the
 * in-process bus): random bytes, random JSON, valid messages with one field mutated (as sent, and
 * re-signed by the sender), truncations, signatures by unknown keys, bit flips, wrong versions,
 * huge numbers, prototype-pollution keys and deep nesting. Every input either decodes, and then
 * only to the very message that was signed (or to one the sender really signed), or throws a
 * WireError subclass with its stable code; nothing else is ever thrown, and a refusal changes no
 * state (replay cache, endpoint handlers, Object.prototype).
 *
 * Runs: ~14,000 inputs in all (set FUZZ_SCALE to multiply them). On failure fast-check prints the
 * seed and the shrunk counterexample; rerun with `FUZZ_SEED=<seed>`.
 */
import fc from "fast-check";
import { type Address, bytesToHex, hexToBytes, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../core/log.ts";
import { createSigner, type Signer } from "../../core/signer.ts";
import { createEndpoint } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import { createInProcessBus } from "../transport/in-process.ts";
import { canonicalJson } from "./canonical.ts";
import { type DecodeContext, decodeMessage } from "./decode-message.ts";
import { type EncodedMessage, encodeMessage } from "./encode-message.ts";
import {
  BadSignatureError,
  ExpiredMessageError,
  ExpiryTooFarError,
  InconsistentMarginCallError,
  MalformedMessageError,
  MessageTooLargeError,
  OwnMessageError,
  ReplayCacheFullError,
  ReplayError,
  ReplayStoreUnavailableError,
  SchemaError,
  UnknownPeerError,
  UnsupportedVersionError,
  WireError,
  type WireErrorCode,
  WrongRecipientError,
} from "./errors.ts";
import { newSigner, sampleBody, sessionIdOf, signRaw, testDomain } from "./fixtures.ts";
import { createReplayCache, type ReplayCache } from "./replay-cache.ts";
import { MAX_MESSAGE_BYTES, MESSAGE_KINDS, type MessageKind, MessageSchema } from "./schemas.ts";

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const runs = (n: number) => ({
  numRuns: Math.max(1, Math.round(n * SCALE)),
  ...(SEED === undefined ? {} : { seed: SEED }),
});
let total = 0;
const counted =
  <A extends unknown[]>(f: (...a: A) => void) =>
  (...a: A) => {
    total++;
    f(...a);
  };

const NOW = 1_800_000_000_000;
const lender = newSigner();
const borrower = newSigner(); // the receiver ("me")
const peers = createPeerRegistry([
  { address: lender.address, name: "lender", protocol: "lending" },
  { address: borrower.address, name: "borrower", protocol: "amm" },
]);
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** Every error class decodeMessage may throw, with its stable code. */
const CODES: Record<string, WireErrorCode> = {
  [MessageTooLargeError.name]: "MessageTooLarge",
  [MalformedMessageError.name]: "MalformedMessage",
  [UnsupportedVersionError.name]: "UnsupportedVersion",
  [SchemaError.name]: "SchemaViolation",
  [OwnMessageError.name]: "OwnMessage",
  [WrongRecipientError.name]: "WrongRecipient",
  [UnknownPeerError.name]: "UnknownPeer",
  [ExpiredMessageError.name]: "ExpiredMessage",
  [ExpiryTooFarError.name]: "ExpiryTooFar",
  [BadSignatureError.name]: "BadSignature",
  [ReplayError.name]: "Replay",
  [ReplayCacheFullError.name]: "ReplayCacheFull",
  [ReplayStoreUnavailableError.name]: "ReplayStoreUnavailable",
  [InconsistentMarginCallError.name]: "InconsistentMarginCall",
};

// One valid message per kind, from the lender to the borrower's inbox.
const sessionId = sessionIdOf("fuzz");
const bases = MESSAGE_KINDS.map((kind) =>
  encodeMessage({
    domain: testDomain,
    signer: lender,
    kind,
    sessionId,
    seq: 1 + MESSAGE_KINDS.indexOf(kind),
    to: kind === "rfq" ? zeroAddress : borrower.address,
    expiry: NOW + 10_000,
    body: sampleBody(kind, { sessionId, sender: lender, peer: borrower.address }),
  }),
) as EncodedMessage<MessageKind>[];
const baseObj = (b: EncodedMessage<MessageKind>) =>
  JSON.parse(text.decode(b.bytes)) as Record<string, unknown>;
const anyBase = fc.constantFrom(...bases);

/** A replay cache holding one unrelated entry, so "unchanged" is observable. */
function seededReplay(): ReplayCache {
  const r = createReplayCache();
  r.record(
    {
      from: lender.address,
      sessionId: sessionIdOf("other"),
      seq: 9,
      nonce: sessionIdOf("n"),
      expiry: NOW + 1,
    },
    NOW,
  );
  return r;
}
const protoKeys = () => Object.getOwnPropertyNames(Object.prototype).join();
const PROTO_KEYS = protoKeys();

type Verdict = { ok: true; message: unknown; digest: string } | { ok: false; error: WireError };

/** Decodes; asserts the refusal is a WireError with its stable code and changed nothing. */
function verdict(bytes: Uint8Array, over: Partial<DecodeContext> = {}): Verdict {
  const replay = seededReplay();
  const ctx: DecodeContext = { domain: testDomain, me: borrower.address, peers, now: NOW, replay, ...over };
  try {
    const { message, digest } = decodeMessage(bytes, ctx);
    expect(replay.size).toBe(4); // recorded: one nonce and one session more
    return { ok: true, message, digest };
  } catch (error) {
    if (!(error instanceof WireError)) throw new Error(`not a WireError: ${String(error)}`, { cause: error });
    expect(CODES[error.name], error.name).toBe(error.code);
    expect(typeof error.context).toBe("object");
    expect(replay.size).toBe(2);
    return { ok: false, error };
  } finally {
    expect(protoKeys()).toBe(PROTO_KEYS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }
}

/** Refused, optionally with one of `codes`. */
function refused(bytes: Uint8Array, ...codes: WireErrorCode[]): WireError {
  const v = verdict(bytes);
  if (v.ok) throw new Error(`accepted: ${text.decode(bytes).slice(0, 300)}`);
  if (codes.length) expect(codes).toContain(v.error.code);
  return v.error;
}

/** Decodes only to the base message itself (same signed content), else is refused. */
function onlyTheSigned(bytes: Uint8Array, base: EncodedMessage<MessageKind>): Verdict {
  const v = verdict(bytes);
  if (v.ok) {
    expect(canonicalJson(v.message)).toBe(canonicalJson(base.message));
    expect(v.digest).toBe(base.digest);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Generators

const HUGE_NUMBERS = [
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "4294967296",
  "9007199254740992",
  "9007199254740993",
  "18446744073709551616",
  "-1",
  "-0",
  "0.5",
  "1e-7",
  "1E2",
  "00",
  "-",
  "0x10",
  "NaN",
  "Infinity",
  "1.7976931348623157e308",
];
const HUGE_UINT_STRINGS = [
  "115792089237316195423570985008687907853269984665640564039457584007913129639936", // 2^256
  "115792089237316195423570985008687907853269984665640564039457584007913129639935", // 2^256 - 1
  "9".repeat(79),
  "0".repeat(5),
  "-1",
  "1e30",
  " 1",
  "0x1",
  "",
];

/** Values to put in place of a field. */
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_VALUE,
    "",
    "0x",
    "0x00",
    `0x${"f".repeat(64)}`,
    `0x${"F".repeat(40)}`,
    zeroAddress,
    borrower.address,
    lender.address,
    null,
    true,
    [],
    {},
    ...HUGE_UINT_STRINGS,
  ),
  fc.string({ maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String),
  fc.uint8Array({ maxLength: 70 }).map((b) => bytesToHex(b)),
);

const SPECIAL_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "extra", ""];
const junkKey = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 10 }));

type Path = string[];
function paths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = prefix.length ? [prefix] : [];
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const k of Object.keys(v)) out.push(...paths((v as Record<string, unknown>)[k], [...prefix, k]));
  }
  return out;
}
const setOwn = (o: Record<string, unknown>, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

function recase(s: string, flips: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    out += (flips >> (i % 31)) & 1 ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c;
  }
  return out;
}

type Mutation = {
  path: number;
  op: "set" | "delete" | "add" | "recase";
  value: unknown;
  key: string;
  flips: number;
};
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.nat(),
  op: fc.constantFrom("set", "delete", "add", "recase"),
  value: junkValue,
  key: junkKey,
  flips: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** Applies one mutation at one path of a copy of `obj`. */
function mutate(obj: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const copy = structuredClone(obj);
  const all = paths(copy);
  const path = all[m.path % all.length]!;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  switch (m.op) {
    case "set":
      setOwn(parent, last, m.value);
      break;
    case "delete":
      delete parent[last];
      break;
    case "add": {
      const target = parent[last];
      if (target !== null && typeof target === "object" && !Array.isArray(target))
        setOwn(target as Record<string, unknown>, m.key, m.value);
      else setOwn(parent, m.key, m.value);
      break;
    }
    case "recase": {
      const v = parent[last];
      setOwn(parent, last, typeof v === "string" ? recase(v, m.flips) : m.value);
      break;
    }
  }
  return copy;
}

/** Replaces the JSON value of `field` (first occurrence) by the raw text `literal`. */
function replaceRaw(json: string, field: string, literal: string): string {
  const re = new RegExp(`"${field}":("[^"]*"|[-0-9.eE+]+)`);
  return json.replace(re, `"${field}":${literal}`);
}
const NUMERIC_FIELDS = ["v", "seq", "expiry", "rateBps", "tenor", "haircutBps", "inReplyTo", "maxRateBps"];
const UINT_STRING_FIELDS = ["principal", "collateral", "nonce", "deadline"];

const privateKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => {
    try {
      return createSigner(bytesToHex(b));
    } catch {
      return undefined;
    }
  })
  .filter(
    (s): s is Signer => s !== undefined && s.address !== lender.address && s.address !== borrower.address,
  );

const randomBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: "binary", maxLength: 1024 }).map((s) => utf8.encode(s)),
  // Around the size limit: a real message padded with whitespace to just under or over it, and
  // junk (not whitespace) at the end.
  fc
    .tuple(anyBase, fc.integer({ min: -8, max: 8 }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
    .map(([b, delta, tail]) => {
      const out = new Uint8Array(MAX_MESSAGE_BYTES + delta).fill(0x20);
      out.set(b.bytes);
      out.set(
        tail.map((x) => x | 0x80),
        out.length - tail.length,
      );
      return out;
    }),
);
const randomJson = fc
  .oneof(fc.jsonValue(), fc.dictionary(junkKey, junkValue, { maxKeys: 12 }), fc.anything({ maxDepth: 3 }))
  .map((v) =>
    utf8.encode(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "undefined"),
  );

// ---------------------------------------------------------------------------------------------

describe("decodeMessage fuzzing: every input decodes to what was signed or throws a WireError", () => {
  it("random bytes (MalformedMessage, MessageTooLarge, or a schema/version refusal)", () => {
    fc.assert(
      fc.property(
        randomBytes,
        counted((bytes) => void refused(bytes)),
      ),
      runs(2000),
    );
  });

  it("random JSON values and objects", () => {
    fc.assert(
      fc.property(
        randomJson,
        counted((bytes) => void refused(bytes)),
      ),
      runs(1500),
    );
  });

  it("envelope-shaped objects whose fields are each the real value or junk", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.array(fc.option(junkValue, { freq: 2 }), { minLength: 10, maxLength: 10 }),
        counted((base, junk) => {
          const obj = baseObj(base);
          Object.keys(obj).forEach((k, i) => {
            if (junk[i] !== null && junk[i] !== undefined) setOwn(obj, k, junk[i]);
          });
          onlyTheSigned(utf8.encode(JSON.stringify(obj)), base);
        }),
      ),
      runs(1500),
    );
  });

  it("one field mutated, as sent: only an equivalent spelling (letter case, -0, ...) still decodes", () => {
    fc.assert(
      fc.property(
        anyBase,
        mutation,
        counted((base, m) => void onlyTheSigned(utf8.encode(JSON.stringify(mutate(baseObj(base), m))), base)),
      ),
      runs(2000),
    );
  });

  it("one field mutated and re-signed by the sender: decodes only if the result is schema-valid", () => {
    fc.assert(
      fc.property(
        anyBase,
        mutation,
        counted((base, m) => {
          let json: string;
          try {
            json = signRaw(mutate(baseObj(base), m), lender);
          } catch {
            return; // not signable (e.g. a field the envelope hash cannot encode): nothing to send
          }
          const v = verdict(utf8.encode(json));
          if (v.ok) {
            const parsed = MessageSchema.safeParse(JSON.parse(json));
            expect(parsed.success, json).toBe(true);
            expect(canonicalJson(v.message)).toBe(canonicalJson(parsed.data));
          }
        }),
      ),
      runs(1500),
    );
  });

  it("truncated messages are MalformedMessage", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.nat(),
        counted((base, n) => void refused(base.bytes.subarray(0, n % base.bytes.length), "MalformedMessage")),
      ),
      runs(1000),
    );
  });

  it("signed by unknown keys: BadSignature when claiming a peer's address, UnknownPeer under their own", () => {
    fc.assert(
      fc.property(
        anyBase,
        privateKey,
        fc.boolean(),
        counted((base, stranger, own) => {
          const obj = baseObj(base);
          if (own) obj.from = stranger.address;
          refused(utf8.encode(signRaw(obj, stranger)), own ? "UnknownPeer" : "BadSignature");
        }),
      ),
      runs(500),
    );
  });

  it("any bit flipped in the signature is BadSignature", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.nat({ max: 65 * 8 - 1 }),
        counted((base, bit) => {
          const obj = baseObj(base);
          const sig = hexToBytes(obj.sig as `0x${string}`);
          sig[bit >> 3]! ^= 1 << (bit & 7);
          obj.sig = bytesToHex(sig);
          refused(utf8.encode(JSON.stringify(obj)), "BadSignature");
        }),
      ),
      runs(600),
    );
  });

  it("any bit flipped anywhere in the bytes: refused unless the flip only re-spelled a value", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.nat(),
        fc.nat({ max: 7 }),
        counted((base, at, bit) => {
          const bytes = new Uint8Array(base.bytes); // a copy: Buffer#slice is a view
          bytes[at % bytes.length]! ^= 1 << bit;
          onlyTheSigned(bytes, base);
        }),
      ),
      runs(1000),
    );
  });

  it("any version other than 0 is UnsupportedVersion, signed or not", () => {
    fc.assert(
      fc.property(
        anyBase,
        junkValue.filter((v) => v !== 0),
        fc.boolean(),
        counted((base, v, sign) => {
          const obj = { ...baseObj(base), v };
          let bytes = utf8.encode(JSON.stringify(obj));
          if (sign) {
            try {
              bytes = utf8.encode(signRaw(obj, lender));
            } catch {
              // not signable: send unsigned
            }
          }
          refused(bytes, "UnsupportedVersion");
        }),
      ),
      runs(500),
    );
  });

  it("huge, negative, fractional and non-JSON numbers in number and uint-string fields", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.oneof(
          fc.tuple(fc.constantFrom(...NUMERIC_FIELDS), fc.constantFrom(...HUGE_NUMBERS)),
          fc.tuple(
            fc.constantFrom(...NUMERIC_FIELDS),
            fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
          ),
          fc.tuple(
            fc.constantFrom(...UINT_STRING_FIELDS),
            fc.constantFrom(...HUGE_UINT_STRINGS, ...HUGE_NUMBERS).map((s) => JSON.stringify(s)),
          ),
        ),
        counted((base, [field, literal]) => {
          const json = replaceRaw(text.decode(base.bytes), field, literal);
          onlyTheSigned(utf8.encode(json), base);
        }),
      ),
      runs(500),
    );
  });

  it("prototype-pollution keys anywhere are refused (strict schemas) and pollute nothing", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.constantFrom("__proto__", "constructor", "prototype"),
        fc.nat(),
        fc.boolean(),
        counted((base, key, where, sign) => {
          const obj = baseObj(base);
          const targets = [
            obj,
            ...paths(obj).map((p) => p.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj)),
          ].filter(
            (t): t is Record<string, unknown> => t !== null && typeof t === "object" && !Array.isArray(t),
          );
          const poison = key === "constructor" ? { prototype: { polluted: true } } : { polluted: true };
          setOwn(targets[where % targets.length]!, key, poison);
          const bytes = utf8.encode(sign ? signRaw(obj, lender) : JSON.stringify(obj));
          refused(bytes, "SchemaViolation");
        }),
      ),
      runs(500),
    );
  });

  it("deep nesting, as a whole message or in place of a field", () => {
    fc.assert(
      fc.property(
        anyBase,
        fc.integer({ min: 1, max: 8000 }),
        fc.constantFrom("[", '{"a":'),
        fc.option(fc.constantFrom("v", "sig", "body", "seq", "principal", "terms", "agreement")),
        counted((base, depth, open, field) => {
          const close = open === "[" ? "]" : "}";
          const deep = open.repeat(depth) + (open === "[" ? "" : "0") + close.repeat(depth);
          const json = text.decode(base.bytes);
          const bytes =
            field === null || !json.includes(`"${field}":`)
              ? deep
              : json.replace(`"${field}":`, `"${field}":${deep},"x${field}":`);
          refused(utf8.encode(bytes));
        }),
      ),
      runs(200),
    );
  });

  it(`ran at least 10,000 inputs through decodeMessage`, () => {
    expect(total).toBeGreaterThanOrEqual(10_000 * Math.min(1, SCALE));
  });
});

describe("endpoint fuzzing over the in-process bus: refusals change no state", () => {
  it("refuses every malformed or forged input with a typed rejection, then still accepts the real messages", async () => {
    const bus = createInProcessBus();
    const log = createMemoryLogger("warn");
    const replay = seededReplay();
    const endpoint = createEndpoint({
      transport: bus.createTransport({ name: "me" }),
      signer: borrower,
      domain: testDomain,
      peers,
      clock: { now: () => NOW },
      log,
      replayCache: replay,
      rfqTokens: "all",
    });
    const attacker = bus.createTransport({ name: "attacker" });
    const accepted: unknown[] = [];
    const rejected: WireError[] = [];
    endpoint.onRfq((m) => void accepted.push(m));
    endpoint.onMessage((m) => void accepted.push(m));
    endpoint.onRejected((e) => void rejected.push(e));

    const forged = fc.oneof(
      randomBytes,
      randomJson,
      fc.tuple(anyBase, fc.nat()).map(([b, n]) => b.bytes.subarray(0, n % b.bytes.length)),
      fc.tuple(anyBase, fc.nat({ max: 519 })).map(([b, bit]) => {
        const obj = baseObj(b);
        const sig = hexToBytes(obj.sig as `0x${string}`);
        sig[bit >> 3]! ^= 1 << (bit & 7);
        return utf8.encode(JSON.stringify({ ...obj, sig: bytesToHex(sig) }));
      }),
      fc.tuple(anyBase, privateKey).map(([b, s]) => utf8.encode(signRaw(baseObj(b), s))),
      fc
        .tuple(
          anyBase,
          junkValue.filter((v) => v !== 0),
        )
        .map(([b, v]) => utf8.encode(JSON.stringify({ ...baseObj(b), v }))),
      fc.tuple(anyBase, fc.constantFrom(...SPECIAL_KEYS.slice(0, 3))).map(([b, k]) => {
        const obj = baseObj(b);
        setOwn(obj.body as Record<string, unknown>, k, { polluted: true });
        return utf8.encode(signRaw(obj, lender));
      }),
    );
    const subjects = fc.constantFrom(
      endpoint.inbox,
      `liq.v0.rfq.${testDomain.chainId}.${(zeroAddress as Address).toLowerCase()}`,
    );

    let sent = 0;
    await fc.assert(
      fc.asyncProperty(forged, subjects, async (bytes, subject) => {
        const before = endpoint.stats();
        attacker.publish(subject, bytes);
        await bus.flush();
        sent++;
        const after = endpoint.stats();
        expect(after.received).toBe(before.received + 1);
        expect(after.accepted).toBe(0);
        expect(after.rejected + after.ignored).toBe(before.rejected + before.ignored + 1);
        expect(accepted).toEqual([]);
        expect(replay.size).toBe(2);
        expect(protoKeys()).toBe(PROTO_KEYS);
      }),
      runs(1000),
    );
    expect(rejected).toHaveLength(endpoint.stats().rejected);
    for (const e of rejected) expect(CODES[e.name]).toBe(e.code);
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
    expect(log.lines.filter((l) => l.msg === "negotiation message rejected")).toHaveLength(rejected.length);

    // None of the forgeries used up the real messages' nonces or seq numbers.
    for (const b of bases) attacker.publish(endpoint.inbox, b.bytes);
    await bus.flush();
    expect(accepted.map((m) => canonicalJson(m))).toEqual(bases.map((b) => canonicalJson(b.message)));
    expect(endpoint.stats()).toMatchObject({ received: sent + bases.length, accepted: bases.length });
    await endpoint.close();
  });
});
