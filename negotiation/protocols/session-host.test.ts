import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import { createEndpoint, type Endpoint, type Sequencer } from "../endpoint.ts";
import { createPeerRegistry, type PeerRegistry } from "../peers.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createInProcessBus, type InProcessBus } from "../transport/in-process.ts";
import { newSigner, testDomain } from "../wire/fixtures.ts";
import type { SessionMessage } from "../wire/schemas.ts";
import { createAgreementPort } from "./agreement-port.ts";
import type { OutboundMessage } from "./alternating-offers.ts";
import { linearBorrower, randomSessionId, loanRfq as rfq, loanTemplate as template } from "./fixtures.ts";
import { type AuctionFinished, createRfqAuctionHost } from "./rfq-auction-host.ts";
import { createSessionHost, type SessionFinished, type SessionOptions } from "./session-host.ts";

type Offer = Extract<SessionMessage, { kind: "offer" }>;

const nowSec = () => BigInt(Math.floor(Date.now() / 1000));

function world() {
  const bus = createInProcessBus();
  const log = createMemoryLogger("warn");
  const borrower = newSigner();
  const lender = newSigner();
  const peers = createPeerRegistry([
    { address: borrower.address, name: "B", protocol: "perp" },
    { address: lender.address, name: "L", protocol: "lending" },
  ]);
  return { bus, log, borrower, lender, peers, lenderHost: lenderOn(bus, lender, peers, log) };
}

/** A lender as agents run one: its session host answers an RFQ it already negotiates on with
 *  resendLast, any other with a new session (a no-op when the session id is taken). */
function lenderOn(
  bus: InProcessBus,
  signer: Signer,
  peers: PeerRegistry,
  log: ReturnType<typeof createMemoryLogger>,
  options: Partial<SessionOptions> = { maxRounds: 4, deadlineMs: 5_000, confirmTimeoutMs: 1_000 },
) {
  const endpoint = createEndpoint({
    transport: bus.createTransport({ name: "L" }),
    signer,
    domain: testDomain,
    peers,
    log,
    rfqTokens: "all",
  });
  /** What the host passed to onSent: new messages of its sessions. */
  const sent: OutboundMessage[] = [];
  const ends: SessionFinished[] = [];
  const resent: Array<OutboundMessage | undefined> = [];
  const sessions = createSessionHost({
    endpoint,
    signer,
    domain: testDomain,
    options,
    nowSec,
    log,
    onSent: (_to, _sessionId, m) => void sent.push(m),
    onFinished: (f) => void ends.push(f),
  });
  endpoint.onRfq((msg) => {
    const again = sessions.resendLast({ sessionId: msg.sessionId, peer: msg.from, rfq: msg.body });
    resent.push(again);
    if (again) return;
    sessions.open({
      side: "lender",
      sessionId: msg.sessionId,
      peer: msg.from,
      rfq: msg.body,
      strategy: createTimeDependentStrategy({
        side: "lender",
        openingRateBps: 900,
        reservationRateBps: 600,
        exponent: 1,
        template,
      }),
    });
  });
  endpoint.onMessage((msg) => void sessions.route(msg));
  return { endpoint, sessions, sent, ends, resent };
}

/** The borrower's endpoint, keeping what it receives. `firstSeq`: where its seq numbers start in
 *  every session (a restarted durable agent continues above its last lease). */
function borrowerEndpoint(w: ReturnType<typeof world>, name: string, firstSeq = 0) {
  const sequencer: Sequencer = {
    next: (() => {
      let n = firstSeq;
      return () => n++;
    })(),
    forget: () => {},
  };
  const endpoint = createEndpoint({
    transport: w.bus.createTransport({ name }),
    signer: w.borrower,
    domain: testDomain,
    peers: w.peers,
    log: w.log,
    sequencer,
  });
  const received: SessionMessage[] = [];
  endpoint.onMessage((msg) => void received.push(msg));
  return { endpoint, received };
}

const offersIn = (received: SessionMessage[]) => received.filter((m): m is Offer => m.kind === "offer");

/** Lets the bus deliver until `done` holds. */
async function deliveries(bus: InProcessBus, done: () => boolean) {
  await expect
    .poll(async () => {
      await bus.flush();
      return done();
    })
    .toBe(true);
}

/** The borrower's restarted auction on `endpoint`, in `sessionId`; resolves when it ends. */
function restartedAuction(
  w: ReturnType<typeof world>,
  endpoint: Endpoint,
  sessionId: Hex,
  admissionMs: number,
): Promise<AuctionFinished> {
  return new Promise<AuctionFinished>((resolve) => {
    const auction = createRfqAuctionHost({
      endpoint,
      signer: w.borrower,
      domain: testDomain,
      options: { maxRounds: 4, deadlineMs: 3_000, admissionMs, confirmTimeoutMs: 1_000 },
      nowSec,
      log: w.log,
      onFinished: resolve,
    });
    endpoint.onMessage((msg) => void auction.route(msg));
    auction.open({ sessionId, rfq, strategyFor: () => linearBorrower(template), score: (t) => -t.rateBps });
  });
}

describe("session host: a borrower's RFQ again in the same session", () => {
  it("the lender sends its last offer again; the borrower's restarted auction admits it and agrees", async () => {
    const w = world();
    const sessionId = randomSessionId();
    // The borrower's first process publishes the RFQ; the lender's opening offer reaches it as it
    // dies (it is never acted on).
    const b1 = borrowerEndpoint(w, "B1");
    const first = await b1.endpoint.sendRfq(sessionId, rfq);
    expect(first.message.seq).toBe(0);
    await deliveries(w.bus, () => offersIn(b1.received).length === 1);
    await b1.endpoint.close();
    const [lost] = offersIn(b1.received);
    expect(w.lenderHost.sent.map((m) => m.kind)).toEqual(["offer"]);

    // A new process of the borrower (seq above its old lease) starts its auction again in the
    // same session: the same RFQ, in a new envelope.
    const b2 = borrowerEndpoint(w, "B2", 16);
    const finished = restartedAuction(w, b2.endpoint, sessionId, 100);
    const { outcome } = await finished;
    expect(outcome.status).toBe("agreed");
    if (outcome.status !== "agreed") return;
    expect(outcome.lender).toBe(w.lender.address);

    // The lender answered the repeat with the offer the first process missed: same terms, a
    // higher seq (the borrower's replay check took it), not a new message of its session.
    expect(w.lenderHost.resent).toEqual([
      undefined,
      { kind: "offer", body: { terms: lost!.body.terms, resent: true } },
    ]);
    const [again] = offersIn(b2.received);
    expect(again?.body.terms).toEqual(lost!.body.terms);
    expect(again!.seq).toBeGreaterThan(lost!.seq);
    expect(again!.nonce).not.toBe(lost!.nonce);
    const offersSent = offersIn([...b1.received, ...b2.received]).length;
    expect(w.lenderHost.sent.filter((m) => m.kind === "offer")).toHaveLength(offersSent - 1);

    await expect.poll(() => w.lenderHost.ends.map((f) => f.outcome.status)).toEqual(["agreed"]);
    expect(w.log.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("when the borrower gets both the offer and its copy, it ignores the copy and stays in step", async () => {
    const w = world();
    const sessionId = randomSessionId();
    // The first process's RFQ and the restarted one's reach the lender back to back, before it has
    // answered either: its offer and the copy both reach the restarted borrower's auction.
    const b1 = borrowerEndpoint(w, "B1");
    await b1.endpoint.sendRfq(sessionId, rfq);
    await b1.endpoint.close();
    const b2 = borrowerEndpoint(w, "B2", 16);
    const finished = restartedAuction(w, b2.endpoint, sessionId, 300);
    const { outcome } = await finished;
    expect(w.lenderHost.resent.map((m) => m?.kind)).toEqual([undefined, "offer"]);
    const offers = offersIn(b2.received);
    expect(offers.filter((m) => m.body.resent).length).toBe(1);
    expect(outcome.status).toBe("agreed");
    await expect.poll(() => w.lenderHost.ends.map((f) => f.outcome.status)).toEqual(["agreed"]);
    // Taking the copy for a new round would have put the sides a move apart: offers refused or
    // rejects. Nothing of the kind, and the lender saw no reject.
    expect(w.log.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("another RFQ under the session id is refused and logged; the session goes on", async () => {
    const w = world();
    const sessionId = randomSessionId();
    const b = borrowerEndpoint(w, "B");
    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(w.bus, () => offersIn(b.received).length === 1);

    await b.endpoint.sendRfq(sessionId, { ...rfq, maxRateBps: 1_200 });
    await deliveries(w.bus, () => w.lenderHost.resent.length === 2);
    await w.bus.flush();
    expect(w.lenderHost.resent).toEqual([undefined, undefined]);
    expect(b.received.map((m) => m.kind)).toEqual(["offer"]);
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ level: "warn", msg: "rfq repeated with another body: declined", sessionId }),
    );

    // Still the borrower's move: the RFQ it opened on is answered again.
    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(w.bus, () => b.received.length === 2);
    expect(w.lenderHost.resent[2]).toEqual({
      kind: "offer",
      body: { terms: offersIn(b.received)[0]!.body.terms, resent: true },
    });
    w.lenderHost.sessions.stop();
  });

  it("keeps quiet when it is not waiting for the borrower's move: it accepted, or the session ended", async () => {
    const w = world();
    const sessionId = randomSessionId();
    const b = borrowerEndpoint(w, "B");
    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(w.bus, () => offersIn(b.received).length === 1);
    // The borrower offers the lender's own terms: it accepts, and waits for the confirm.
    await b.endpoint.send(w.lender.address, sessionId, "offer", {
      terms: offersIn(b.received)[0]!.body.terms,
    });
    await deliveries(w.bus, () => b.received.some((m) => m.kind === "accept"));

    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(w.bus, () => w.lenderHost.resent.length === 2);
    await w.bus.flush();
    expect(w.lenderHost.resent[1]).toBeUndefined();
    expect(b.received.map((m) => m.kind)).toEqual(["offer", "accept"]);

    // Rejected after its accept, the session ends unconfirmed; the RFQ again finds none.
    await b.endpoint.send(w.lender.address, sessionId, "reject", { reason: "changed my mind" });
    await expect.poll(() => w.lenderHost.ends.map((f) => f.outcome.status)).toEqual(["unconfirmed"]);
    expect(w.lenderHost.sessions.resendLast({ sessionId, peer: w.borrower.address, rfq })).toBeUndefined();
    expect(w.lenderHost.sessions.size).toBe(0);
  });

  it("answers only the session's borrower, and only as lender", async () => {
    const w = world();
    const sessionId = randomSessionId();
    const b = borrowerEndpoint(w, "B");
    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(w.bus, () => offersIn(b.received).length === 1);
    const host = w.lenderHost.sessions;
    expect(host.resendLast({ sessionId, peer: newSigner().address, rfq })).toBeUndefined();
    expect(host.resendLast({ sessionId: randomSessionId(), peer: w.borrower.address, rfq })).toBeUndefined();
    expect(host.resendLast({ sessionId, peer: w.borrower.address, rfq })).toBeDefined();

    // A borrower-side session never answers an RFQ (its peer is a lender).
    const borrowerSide = createSessionHost({
      endpoint: b.endpoint,
      signer: w.borrower,
      domain: testDomain,
      nowSec,
      log: w.log,
      onFinished: () => {},
    });
    borrowerSide.open({
      side: "borrower",
      sessionId,
      peer: w.lender.address,
      rfq,
      strategy: linearBorrower(template),
      openingOffer: { ...template, rateBps: 900 },
    });
    expect(borrowerSide.resendLast({ sessionId, peer: w.lender.address, rfq })).toBeUndefined();
    borrowerSide.stop();
    host.stop();
  });
});

describe("session host: a late offer or accept in a session that has ended is answered", () => {
  it("an offer after the session's deadline gets reject session-ended (not silence)", async () => {
    const bus = createInProcessBus();
    const log = createMemoryLogger("warn");
    const borrower = newSigner();
    const lenderSigner = newSigner();
    const peers = createPeerRegistry([
      { address: borrower.address, name: "B", protocol: "perp" },
      { address: lenderSigner.address, name: "L", protocol: "lending" },
    ]);
    const lender = lenderOn(bus, lenderSigner, peers, log, { maxRounds: 4, deadlineMs: 150 });
    const b = borrowerEndpoint({ bus, log, borrower, lender: lenderSigner, peers, lenderHost: lender }, "B");
    const sessionId = randomSessionId();
    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(bus, () => offersIn(b.received).length === 1);
    const [offer] = offersIn(b.received);
    // The session's deadline passes without our answer: it ends, telling us.
    const rejects = () => b.received.filter((m) => m.kind === "reject");
    await deliveries(bus, () => rejects().length === 1);
    expect(rejects()[0]!.body).toEqual({ reason: "deadline", code: "deadline" });
    expect(lender.ends.map((f) => f.outcome)).toMatchObject([{ status: "failed", code: "deadline" }]);
    // Our counter arrives late: refused with a code, so we stop waiting at once.
    await b.endpoint.send(lenderSigner.address, sessionId, "offer", {
      terms: { ...offer!.body.terms, rateBps: 100 },
    });
    await deliveries(bus, () => rejects().length === 2);
    expect(rejects()[1]!.body).toEqual({ reason: "session ended", code: "session-ended" });
    // A reject of ours is never answered (no ping-pong).
    await b.endpoint.send(lenderSigner.address, sessionId, "reject", { reason: "bye", code: "deadline" });
    await bus.flush();
    await new Promise((r) => setTimeout(r, 50));
    await bus.flush();
    expect(rejects()).toHaveLength(2);
  });

  it("our accept again after the lender confirmed gets the same confirm again; another accept is refused", async () => {
    const w = world();
    const b = borrowerEndpoint(w, "B");
    const sessionId = randomSessionId();
    await b.endpoint.sendRfq(sessionId, rfq);
    await deliveries(w.bus, () => offersIn(b.received).length === 1);
    const [offer] = offersIn(b.received);
    const port = createAgreementPort({
      domain: testDomain,
      signer: w.borrower,
      sessionId,
      lender: w.lender.address,
      borrower: w.borrower.address,
      principalToken: rfq.principalToken,
      settlementWindowSec: 600,
      nowSec,
    });
    const agreement = port.build(offer!.body.terms);
    const accept = { agreement, signature: port.sign(agreement) };
    await b.endpoint.send(w.lender.address, sessionId, "accept", accept);
    const confirms = () => b.received.filter((m) => m.kind === "confirm");
    await deliveries(w.bus, () => confirms().length === 1);
    await expect.poll(() => w.lenderHost.ends.map((f) => f.outcome.status)).toEqual(["agreed"]);

    // A restarted borrower that missed the confirm sends its accept again: the same confirm.
    await b.endpoint.send(w.lender.address, sessionId, "accept", accept);
    await deliveries(w.bus, () => confirms().length === 2);
    expect(confirms()[1]!.body).toEqual(confirms()[0]!.body);
    expect(confirms()[1]!.body.agreementId).toBe(port.id(agreement));

    // Any other accept in the ended session: refused, never countersigned.
    const other = port.build({ ...offer!.body.terms, rateBps: 1 });
    await b.endpoint.send(w.lender.address, sessionId, "accept", {
      agreement: other,
      signature: port.sign(other),
    });
    await deliveries(w.bus, () => b.received.some((m) => m.kind === "reject"));
    expect(b.received.filter((m) => m.kind === "reject").map((m) => m.body)).toEqual([
      { reason: "session ended", code: "session-ended" },
    ]);
    expect(confirms()).toHaveLength(2);
    expect(w.log.lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});
