/**
 * Endpoint over both transports (in-process bus and a real NATS server), with real signatures:
 * the slice's session flow end to end, and every kind of bad input refused with a typed error,
 * a log line, and no state change.
 */
import { randomBytes } from "node:crypto";
import { type Address, getAddress, type Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { hashAgreement, signAgreement, verifyAgreementSignature } from "../core/agreement.ts";
import { createMemoryLogger, type LogFields } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { useIsolatedNats } from "../test/harness/nats.ts";
import { until } from "../test/harness/until.ts";
import { createEndpoint, type Endpoint } from "./endpoint.ts";
import { createPeerRegistry, type MutablePeerRegistry } from "./peers.ts";
import { createInProcessBus, createNatsTransport, type Transport } from "./transport/index.ts";
import { encodeMessage } from "./wire/encode-message.ts";
import {
  BadSignatureError,
  ExpiredMessageError,
  MalformedMessageError,
  MessageTooLargeError,
  type ReplayError,
  SchemaError,
  UnknownPeerError,
  UnsupportedVersionError,
  type WireError,
  WrongRecipientError,
} from "./wire/errors.ts";
import {
  newSigner,
  sampleAgreement,
  sampleRfq,
  sampleTerms,
  sessionIdOf,
  signRaw,
  testDomain,
} from "./wire/fixtures.ts";
import { createReplayCache, type ReplayCache } from "./wire/replay-cache.ts";
import type { Message, RfqMessage, SessionMessage } from "./wire/schemas.ts";
import { inboxSubject } from "./wire/subjects.ts";

// One test listens to every RFQ, other files' agents' included on a shared server: a NATS server
// of this file's own.
const natsServer = useIsolatedNats();

type TransportKind = { name: string; make(n: number): Promise<Transport[]> };
const transportKinds: TransportKind[] = [
  {
    name: "in-process bus",
    async make(n) {
      const bus = createInProcessBus();
      return Array.from({ length: n }, (_, i) => bus.createTransport({ name: `t${i}` }));
    },
  },
  {
    name: "NATS",
    make: (n) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          createNatsTransport({ servers: natsServer.url, name: `ep-${i}` }),
        ),
      ),
  },
];

type Agent = {
  signer: Signer;
  endpoint: Endpoint;
  log: ReturnType<typeof createMemoryLogger>;
  replay: ReplayCache;
  clock: { offset: number; now(): number };
  rfqs: RfqMessage[];
  messages: SessionMessage[];
  rejected: WireError[];
};

describe.each(transportKinds)("endpoint over $name", (kind) => {
  let transports: Transport[] = [];
  let agents: Agent[] = [];
  afterEach(async () => {
    for (const a of agents) await a.endpoint.close();
    for (const t of transports) await t.close();
    agents = [];
    transports = [];
  });

  async function world() {
    transports = await kind.make(3);
    const [tl, tb, tx] = transports as [Transport, Transport, Transport];
    const lenderSigner = newSigner();
    const borrowerSigner = newSigner();
    const peers: MutablePeerRegistry = createPeerRegistry([
      { address: lenderSigner.address, name: "lender", protocol: "lending" },
      { address: borrowerSigner.address, name: "borrower", protocol: "amm" },
    ]);
    const agent = (signer: Signer, transport: Transport): Agent => {
      const log = createMemoryLogger();
      const replay = createReplayCache();
      const clock = {
        offset: 0,
        now() {
          return Date.now() + this.offset;
        },
      };
      const endpoint = createEndpoint({
        transport,
        signer,
        domain: testDomain,
        peers,
        clock,
        log,
        replayCache: replay,
      });
      const a: Agent = { signer, endpoint, log, replay, clock, rfqs: [], messages: [], rejected: [] };
      endpoint.onRfq((m) => void a.rfqs.push(m));
      endpoint.onMessage((m) => void a.messages.push(m));
      endpoint.onRejected((e) => void a.rejected.push(e));
      agents.push(a);
      return a;
    };
    const lender = agent(lenderSigner, tl);
    const borrower = agent(borrowerSigner, tb);
    // A random principal token keeps parallel runs on a shared NATS server apart.
    const token = getAddress(`0x${randomBytes(20).toString("hex")}`);
    lender.endpoint.listenRfqs([token]);
    await Promise.all([lender.endpoint.flush(), borrower.endpoint.flush()]);
    /** Publishes raw bytes to the borrower's inbox from a third connection and waits for the verdict. */
    const deliver = async (bytes: Uint8Array | string, to: Agent = borrower) => {
      const before = to.endpoint.stats().received;
      await tx.publish(
        to.endpoint.inbox,
        typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes,
      );
      await tx.flush();
      await until(() => to.endpoint.stats().received === before + 1, "delivery");
    };
    /** A valid offer from the lender to the borrower, as bytes plus its JSON object. */
    const offer = (over: { seq?: number; expiry?: number; signer?: Signer; sessionId?: Hex } = {}) => {
      const enc = encodeMessage({
        domain: testDomain,
        signer: over.signer ?? lenderSigner,
        kind: "offer",
        sessionId: over.sessionId ?? sessionIdOf("bad"),
        seq: over.seq ?? 0,
        to: borrowerSigner.address,
        expiry: over.expiry ?? Date.now() + 10_000,
        body: { terms: sampleTerms },
      });
      return { ...enc, obj: JSON.parse(new TextDecoder().decode(enc.bytes)) as Record<string, unknown> };
    };
    return { lender, borrower, peers, token, deliver, offer, attacker: tx };
  }

  it("runs the slice's session flow: rfq, offer, counter, accept, confirm", async () => {
    const { lender, borrower, token } = await world();
    const sessionId = sessionIdOf("flow");

    const rfq = await borrower.endpoint.sendRfq(sessionId, { ...sampleRfq, principalToken: token });
    expect(rfq.subject).toBe(`liq.v0.rfq.31337.${token.toLowerCase()}`);
    await until(() => lender.rfqs.length === 1, "rfq");
    const gotRfq = lender.rfqs[0]!;
    expect(gotRfq).toEqual(rfq.message);
    expect(gotRfq.body.principal).toBe(sampleRfq.principal);

    await lender.endpoint.reply(gotRfq, "offer", { terms: sampleTerms, inReplyTo: gotRfq.seq });
    await until(() => borrower.messages.length === 1, "offer");
    const offer = borrower.messages[0]!;
    if (offer.kind !== "offer") throw new Error(`expected offer, got ${offer.kind}`);
    expect(offer.body.terms).toEqual(sampleTerms);

    const counterTerms = { ...offer.body.terms, rateBps: 600 };
    await borrower.endpoint.reply(offer, "offer", { terms: counterTerms, inReplyTo: offer.seq });
    await until(() => lender.messages.length === 1, "counter");
    const counter = lender.messages[0]!;
    if (counter.kind !== "offer") throw new Error("expected counter-offer");

    const agreement = {
      ...sampleAgreement({ sessionId, lender: lender.signer.address, borrower: borrower.signer.address }),
      principalToken: token,
      rateBps: counter.body.terms.rateBps,
    };
    await lender.endpoint.reply(counter, "accept", {
      agreement,
      signature: signAgreement(testDomain, agreement, lender.signer),
    });
    await until(() => borrower.messages.length === 2, "accept");
    const accept = borrower.messages[1]!;
    if (accept.kind !== "accept") throw new Error("expected accept");
    expect(accept.body.agreement).toEqual(agreement);
    verifyAgreementSignature(testDomain, accept.body.agreement, accept.body.signature, "lender");

    await borrower.endpoint.reply(accept, "confirm", {
      agreementId: hashAgreement(testDomain, accept.body.agreement),
      signature: signAgreement(testDomain, accept.body.agreement, borrower.signer),
    });
    await until(() => lender.messages.length === 2, "confirm");
    const confirm = lender.messages[1]!;
    if (confirm.kind !== "confirm") throw new Error("expected confirm");
    expect(confirm.body.agreementId).toBe(hashAgreement(testDomain, agreement));
    verifyAgreementSignature(testDomain, agreement, confirm.body.signature, "borrower");

    const seqs = (ms: Message[]) => ms.map((m) => `${m.kind}:${m.seq}`);
    expect(seqs([gotRfq, ...lender.messages])).toEqual(["rfq:0", "offer:1", "confirm:2"]);
    expect(seqs(borrower.messages)).toEqual(["offer:0", "accept:1"]);
    for (const a of [lender, borrower]) {
      expect(a.rejected).toEqual([]);
      expect(a.endpoint.stats()).toMatchObject({ rejected: 0, sent: a === lender ? 2 : 3 });
    }
  });

  it("ignores the echo of its own broadcast RFQ", async () => {
    const { borrower, token } = await world();
    borrower.endpoint.listenRfqs("all");
    await borrower.endpoint.flush();
    await borrower.endpoint.sendRfq(sessionIdOf("echo"), { ...sampleRfq, principalToken: token });
    await until(() => borrower.endpoint.stats().ignored === 1, "echo");
    expect(borrower.rfqs).toEqual([]);
    expect(borrower.endpoint.stats().rejected).toBe(0);
  });

  it("keeps going when a handler throws", async () => {
    const { lender, borrower } = await world();
    borrower.endpoint.onMessage(() => {
      throw new Error("strategy bug");
    });
    await lender.endpoint.send(borrower.signer.address, sessionIdOf("h"), "reject", { reason: "a" });
    await lender.endpoint.send(borrower.signer.address, sessionIdOf("h"), "reject", { reason: "b" });
    await until(() => borrower.messages.length === 2, "both messages");
    expect(borrower.log.lines.filter((l) => l.msg === "onMessage handler failed")).toHaveLength(2);
  });

  /** The rejection is typed, logged at warn with code/from/sessionId, and changed nothing. */
  function expectRejected(
    a: Agent,
    cls: new (...args: never[]) => WireError,
    from?: string,
    sessionId?: string,
  ) {
    expect(a.rejected).toHaveLength(1);
    const err = a.rejected[0]!;
    expect(err).toBeInstanceOf(cls);
    const line = a.log.lines.find((l: LogFields) => l.msg === "negotiation message rejected");
    expect(line).toMatchObject({ level: "warn", code: err.code, subject: a.endpoint.inbox });
    if (from !== undefined) expect(line?.from).toBe(from);
    if (sessionId !== undefined) expect(line?.sessionId).toBe(sessionId);
    expect(JSON.stringify(line)).not.toMatch(/"sig"|privateKey/);
    expect(a.messages).toEqual([]);
    expect(a.rfqs).toEqual([]);
    expect(a.replay.size).toBe(0);
    expect(a.endpoint.stats()).toMatchObject({ accepted: 0, rejected: 1, rejectedByCode: { [err.code]: 1 } });
    return err;
  }

  it("refuses malformed JSON", async () => {
    const { borrower, deliver } = await world();
    await deliver('{"v":0,"kind":');
    expectRejected(borrower, MalformedMessageError);
  });

  it("refuses an oversized message", async () => {
    const { borrower, deliver, offer } = await world();
    const o = offer();
    await deliver(JSON.stringify({ ...o.obj, padding: "x".repeat(16 * 1024) }));
    expectRejected(borrower, MessageTooLargeError);
  });

  it("refuses a wrong version", async () => {
    const { lender, borrower, deliver, offer } = await world();
    const o = offer();
    await deliver(signRaw({ ...o.obj, v: 1 }, lender.signer));
    expectRejected(borrower, UnsupportedVersionError, lender.signer.address, o.message.sessionId);
  });

  it("refuses a schema violation", async () => {
    const { lender, borrower, deliver, offer } = await world();
    const o = offer();
    const body = { terms: { ...(o.obj.body as { terms: object }).terms, rateBps: -3 } };
    await deliver(signRaw({ ...o.obj, body }, lender.signer));
    const err = expectRejected(borrower, SchemaError, lender.signer.address, o.message.sessionId);
    expect((err as SchemaError).issues).toContain("rateBps");
  });

  it("refuses an unsigned message", async () => {
    const { lender, borrower, deliver, offer } = await world();
    const { sig: _sig, ...unsigned } = offer().obj;
    await deliver(JSON.stringify(unsigned));
    expectRejected(borrower, SchemaError, lender.signer.address);
  });

  it("refuses a garbage signature", async () => {
    const { lender, borrower, deliver, offer } = await world();
    await deliver(JSON.stringify({ ...offer().obj, sig: `0x${randomBytes(64).toString("hex")}1c` }));
    expectRejected(borrower, BadSignatureError, lender.signer.address);
  });

  it("refuses a message signed by a key other than `from`", async () => {
    const { lender, borrower, deliver, offer } = await world();
    await deliver(signRaw(offer().obj, newSigner()));
    expectRejected(borrower, BadSignatureError, lender.signer.address);
  });

  it("refuses an expired message", async () => {
    const { borrower, deliver, offer } = await world();
    borrower.clock.offset = 60_000;
    await deliver(offer().bytes);
    expectRejected(borrower, ExpiredMessageError);
  });

  it("refuses an exact duplicate", async () => {
    const { borrower, deliver, offer } = await world();
    const o = offer();
    await deliver(o.bytes);
    await deliver(o.bytes);
    expect(borrower.messages).toHaveLength(1);
    expect(borrower.rejected.map((e) => [e.code, (e as ReplayError).reason])).toEqual([
      ["Replay", "duplicate-nonce"],
    ]);
    expect(borrower.log.lines.filter((l) => l.code === "Replay")).toHaveLength(1);
  });

  it("refuses a lower sequence number in the same session", async () => {
    const { borrower, deliver, offer } = await world();
    const sessionId = sessionIdOf("seq");
    await deliver(offer({ sessionId, seq: 5 }).bytes);
    await deliver(offer({ sessionId, seq: 4 }).bytes);
    await deliver(offer({ sessionId, seq: 5 }).bytes);
    expect(borrower.rejected.map((e) => (e as ReplayError).reason)).toEqual(["stale-seq", "stale-seq"]);
    await deliver(offer({ sessionId, seq: 6 }).bytes);
    expect(borrower.messages.map((m) => m.seq)).toEqual([5, 6]);
  });

  it("refuses an unknown peer", async () => {
    const { borrower, deliver, offer } = await world();
    const stranger = newSigner();
    await deliver(offer({ signer: stranger }).bytes);
    expectRejected(borrower, UnknownPeerError, stranger.address);
  });

  it("refuses a message addressed to someone else", async () => {
    const { lender, borrower, deliver, offer } = await world();
    const o = offer();
    await deliver(signRaw({ ...o.obj, to: lender.signer.address }, lender.signer));
    expectRejected(borrower, WrongRecipientError, lender.signer.address);
  });

  describe("a refused message leaves no trace in the replay cache", () => {
    it("expired on a fast clock, then accepted once the clock is corrected", async () => {
      const { borrower, deliver, offer } = await world();
      const o = offer();
      borrower.clock.offset = 60_000;
      await deliver(o.bytes);
      expectRejected(borrower, ExpiredMessageError);
      borrower.clock.offset = 0;
      await deliver(o.bytes);
      expect(borrower.messages).toEqual([o.message]);
    });

    it("refused from an unknown peer, then accepted once the peer is registered", async () => {
      const { borrower, peers, deliver, offer } = await world();
      const newcomer = newSigner();
      const o = offer({ signer: newcomer });
      await deliver(o.bytes);
      expectRejected(borrower, UnknownPeerError);
      peers.add({ address: newcomer.address, name: "newcomer", protocol: "perp" });
      await deliver(o.bytes);
      expect(borrower.messages).toEqual([o.message]);
    });

    it("a forged copy with the real nonce and seq cannot burn the real message", async () => {
      const { borrower, deliver, offer } = await world();
      const real = offer({ seq: 3 });
      await deliver(signRaw(real.obj, newSigner()));
      expectRejected(borrower, BadSignatureError);
      await deliver(real.bytes);
      expect(borrower.messages).toEqual([real.message]);
    });
  });

  it("sends to the recipient's inbox subject and refuses to send after close", async () => {
    const { lender, borrower } = await world();
    const sent = await lender.endpoint.send(
      borrower.signer.address.toLowerCase() as Address,
      sessionIdOf("x"),
      "reject",
      {
        reason: "no",
      },
    );
    expect(sent.subject).toBe(inboxSubject(borrower.signer.address));
    expect(sent.message.to).toBe(borrower.signer.address);
    await lender.endpoint.close();
    await expect(
      lender.endpoint.send(borrower.signer.address, sessionIdOf("x"), "reject", { reason: "no" }),
    ).rejects.toThrow(/closed/);
  });
});
