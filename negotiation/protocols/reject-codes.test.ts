/**
 * Every refusal path carries its own reason code (issue 10, item 10: every refusal said "accept
 * does not match our offer"). One scenario per code of wire/reject-codes.ts, each driving the real
 * machines (a SimulatedClock, or a clock whose timers the test fires in a chosen order) or the real
 * hosts on the in-process bus, and checking the `reject` it sends. The table must cover every code,
 * so a new code needs a scenario here.
 */
import { type Address, type Hex, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { createMemoryLogger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import { createEndpoint } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createInProcessBus } from "../transport/in-process.ts";
import { newSigner, testDomain } from "../wire/fixtures.ts";
import { REJECT_CODE_LIST, type RejectCode } from "../wire/reject-codes.ts";
import type { SessionMessage, Terms } from "../wire/schemas.ts";
import { createAgreementPort } from "./agreement-port.ts";
import { alternatingOffersMachine, type OutboundMessage, type Refusal } from "./alternating-offers.ts";
import { linearBorrower, randomSessionId, loanRfq as rfq, loanTemplate as template } from "./fixtures.ts";
import { rfqAuctionMachine } from "./rfq-auction.ts";
import { createRfqAuctionHost } from "./rfq-auction-host.ts";
import { sealedBidAuctionMachine } from "./sealed-bid.ts";
import { createSealedBidAuctionHost } from "./sealed-bid-host.ts";
import { commitmentOf, sealBid } from "./sealed-bid-messages.ts";
import { createSessionHost } from "./session-host.ts";

const NOW_SEC = 1_800_000_000n;
const nowSec = () => NOW_SEC;
const lenderKey = newSigner();
const borrowerKey = newSigner();
const offer = (rateBps: number): Terms => ({ ...template, rateBps });

const portFor = (sessionId: Hex, signer: Signer, lender = lenderKey.address) =>
  createAgreementPort({
    domain: testDomain,
    signer,
    sessionId,
    lender,
    borrower: borrowerKey.address,
    principalToken: rfq.principalToken,
    settlementWindowSec: 600,
    nowSec,
  });

const lenderStrategy = () =>
  createTimeDependentStrategy({
    side: "lender",
    openingRateBps: 900,
    reservationRateBps: 700,
    exponent: 1,
    template,
  });

/** The rejects a machine emitted (bilateral: `message`; auctions: `message` with `to`). */
function rejectsOf(emitted: Array<{ message: OutboundMessage | { kind: string } }>): Refusal[] {
  return emitted.flatMap((e) => (e.message.kind === "reject" ? [(e.message as { body: Refusal }).body] : []));
}

/** A bilateral session, lender side unless said otherwise, on a SimulatedClock. */
function session(p: { side?: "lender" | "borrower"; maxRounds?: number } = {}) {
  const clock = new SimulatedClock();
  const sessionId = randomSessionId();
  const side = p.side ?? "lender";
  const me = side === "lender" ? lenderKey : borrowerKey;
  const emitted: Array<{ message: OutboundMessage }> = [];
  const actor = createActor(alternatingOffersMachine, {
    clock,
    input: {
      side,
      sessionId,
      peer: side === "lender" ? borrowerKey.address : lenderKey.address,
      strategy: side === "lender" ? lenderStrategy() : linearBorrower(),
      maxRounds: p.maxRounds ?? 4,
      deadlineMs: 1_000,
      confirmTimeoutMs: 500,
      opensWithOffer: side === "lender",
      now: () => clock.now(),
      port: portFor(sessionId, me),
    },
  });
  actor.on("outbound", (e) => emitted.push(e));
  actor.start();
  const theirPort = portFor(sessionId, side === "lender" ? borrowerKey : lenderKey);
  return { actor, clock, emitted, sessionId, theirPort };
}

/** An accept of the lender's opening offer, changed by `change`, signed by `signer`. */
function acceptOfOpening(s: ReturnType<typeof session>, change: object, signer: "borrower" | "lender") {
  const first = s.emitted[0]?.message;
  if (first?.kind !== "offer") throw new Error("expected the opening offer");
  const agreement = { ...s.theirPort.build(first.body.terms), ...change };
  const port = signer === "borrower" ? s.theirPort : portFor(s.sessionId, lenderKey);
  s.actor.send({ type: "accept.received", agreement, signature: port.sign(agreement) });
}

/** An open RFQ auction (borrower side) whose RFQ has left, on `clock`. */
function auction<C extends SimulatedClock | ReturnType<typeof manualClock> = SimulatedClock>(
  p: { maxLenders?: number; clock?: C } = {},
) {
  const clock = (p.clock ?? new SimulatedClock()) as C;
  const sessionId = randomSessionId();
  const emitted: Array<{ to: Address; message: OutboundMessage | { kind: string } }> = [];
  const actor = createActor(rfqAuctionMachine, {
    clock,
    input: {
      sessionId,
      rfq,
      strategyFor: () => linearBorrower(),
      portFor: (lender) => portFor(sessionId, borrowerKey, lender),
      score: (t) => -t.rateBps,
      maxRounds: 4,
      deadlineMs: 1_000,
      admissionMs: 100,
      confirmTimeoutMs: 500,
      ...(p.maxLenders === undefined ? {} : { maxLenders: p.maxLenders }),
      now: () => clock.now(),
    },
  });
  actor.on("outbound", (e) => emitted.push(e));
  actor.start();
  actor.send({ type: "rfq.sent" });
  const to = (who: Address) => rejectsOf(emitted.filter((e) => e.to === who));
  return { actor, clock, emitted, sessionId, to };
}

/** A clock whose timers fire only when the test says, in the order it chooses. */
function manualClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id: number) => void timers.delete(id),
    /** Fires the pending timer due latest (then moves the time there). */
    fireLatest() {
      const [id, t] = [...timers.entries()].sort((a, b) => b[1].at - a[1].at)[0]!;
      timers.delete(id);
      now = t.at;
      t.fn();
    },
  };
}

/** A sealed-bid auction (borrower side) on a SimulatedClock: commits by 100 ms, reveals by 200. */
function sealed(p: { maxBidders?: number; acceptable?: (t: Terms) => boolean } = {}) {
  const clock = new SimulatedClock();
  const sessionId = randomSessionId();
  const emitted: Array<{ to: Address; message: { kind: string } }> = [];
  const actor = createActor(sealedBidAuctionMachine, {
    clock,
    input: {
      sessionId,
      rfq,
      commitBy: 100,
      revealBy: 200,
      portFor: (lender) => portFor(sessionId, borrowerKey, lender),
      score: (t) => -t.rateBps,
      acceptable: p.acceptable ?? (() => true),
      confirmTimeoutMs: 500,
      ...(p.maxBidders === undefined ? {} : { maxBidders: p.maxBidders }),
      now: () => clock.now(),
    },
  });
  actor.on("outbound", (e) => emitted.push(e));
  actor.start();
  const bidder = (rate: number) => {
    const who = newSigner().address;
    const b = sealBid({ sessionId, lender: who, terms: offer(rate) });
    return {
      who,
      commit: () => actor.send({ type: "commit.received", from: who, commitment: b.commit.commitment }),
      reveal: (terms = b.reveal.terms) =>
        actor.send({ type: "reveal.received", from: who, terms, salt: b.reveal.salt }),
    };
  };
  const to = (who: Address) =>
    emitted
      .filter((e) => e.to === who && e.message.kind === "reject")
      .map((e) => (e.message as unknown as { body: Refusal }).body);
  return { actor, clock, sessionId, bidder, to };
}

/** Host-level scenarios: a bus, our endpoint (a borrower or lender host routes on it) and a peer's. */
function onBus() {
  const bus = createInProcessBus();
  const log = createMemoryLogger("warn");
  const peerKey = newSigner();
  const peers = createPeerRegistry([
    { address: borrowerKey.address, name: "B", protocol: "perp" },
    { address: lenderKey.address, name: "L", protocol: "lending" },
    { address: peerKey.address, name: "P", protocol: "lending" },
  ]);
  const endpointOf = (signer: Signer, name: string, listen = false) =>
    createEndpoint({
      transport: bus.createTransport({ name }),
      signer,
      domain: testDomain,
      peers,
      log,
      ...(listen ? { rfqTokens: "all" as const } : {}),
    });
  const peer = endpointOf(peerKey, "P", true);
  const received: SessionMessage[] = [];
  peer.onMessage((m) => void received.push(m));
  const rejects = () => received.flatMap((m) => (m.kind === "reject" ? [m.body as Refusal] : []));
  const settle = async (until: () => boolean) =>
    expect
      .poll(async () => {
        await bus.flush();
        return until();
      })
      .toBe(true);
  return { bus, log, peerKey, peer, received, rejects, endpointOf, settle };
}

/** Each code, the path that sends it, and what it sent (all of it, for the assertion). */
const scenarios: Record<RejectCode, () => Promise<Refusal[]> | Refusal[]> = {
  deadline: () => {
    const s = session();
    s.clock.increment(1_001);
    return rejectsOf(s.emitted);
  },
  "rounds-exhausted": () => {
    const s = session({ maxRounds: 1 });
    s.actor.send({ type: "offer.received", terms: offer(100) });
    return rejectsOf(s.emitted);
  },
  "accept-without-offer": () => {
    const s = session({ side: "borrower" });
    const agreement = s.theirPort.build(offer(700));
    s.actor.send({ type: "accept.received", agreement, signature: s.theirPort.sign(agreement) });
    return rejectsOf(s.emitted);
  },
  "agreement-mismatch": () => {
    const s = session();
    acceptOfOpening(s, { tenor: 1 }, "borrower");
    return rejectsOf(s.emitted);
  },
  "agreement-deadline": () => {
    const s = session();
    acceptOfOpening(s, { deadline: NOW_SEC + 5_000n }, "borrower");
    return rejectsOf(s.emitted);
  },
  "agreement-signature": () => {
    const s = session();
    acceptOfOpening(s, {}, "lender");
    return rejectsOf(s.emitted);
  },
  "session-ended": async () => {
    // A lender session ended at its deadline; the borrower's counter arrives after.
    const w = onBus();
    const ours = w.endpointOf(lenderKey, "L");
    const host = createSessionHost({
      endpoint: ours,
      signer: lenderKey,
      domain: testDomain,
      options: { deadlineMs: 50 },
      nowSec: () => BigInt(Math.floor(Date.now() / 1000)),
      log: w.log,
      onFinished: () => {},
    });
    ours.onMessage((m) => void host.route(m));
    const sessionId = randomSessionId();
    host.open({ side: "lender", sessionId, peer: w.peerKey.address, rfq, strategy: lenderStrategy() });
    await w.settle(() => w.rejects().length === 1);
    expect(w.rejects()[0]!.code).toBe("deadline");
    await w.peer.send(lenderKey.address, sessionId, "offer", { terms: offer(500) });
    await w.settle(() => w.rejects().length === 2);
    return w.rejects().slice(1);
  },
  "admission-closed": async () => {
    // A newcomer while the auction runs (admission over) and one after it has ended.
    const a = auction();
    const early = newSigner().address;
    const late = newSigner().address;
    a.actor.send({ type: "offer.received", from: early, terms: offer(890) });
    a.clock.increment(101);
    a.actor.send({ type: "offer.received", from: late, terms: offer(850) });
    const running = a.to(late);
    const w = onBus();
    const ours = w.endpointOf(borrowerKey, "B");
    const host = createRfqAuctionHost({
      endpoint: ours,
      signer: borrowerKey,
      domain: testDomain,
      options: { admissionMs: 30, deadlineMs: 1_000 },
      nowSec,
      log: w.log,
      onFinished: () => {},
    });
    ours.onMessage((m) => void host.route(m));
    const sessionId = randomSessionId();
    host.open({ sessionId, rfq, strategyFor: () => linearBorrower(), score: (t) => -t.rateBps });
    await expect.poll(() => host.size).toBe(0); // no lender came: ended after the window
    await w.peer.send(borrowerKey.address, sessionId, "offer", { terms: offer(850) });
    await w.settle(() => w.rejects().length === 1);
    return [...running, ...w.rejects()];
  },
  "auction-full": () => {
    const a = auction({ maxLenders: 1 });
    a.actor.send({ type: "offer.received", from: newSigner().address, terms: offer(890) });
    const second = newSigner().address;
    a.actor.send({ type: "offer.received", from: second, terms: offer(850) });
    const s = sealed({ maxBidders: 1 });
    s.bidder(700).commit();
    const third = s.bidder(600);
    third.commit();
    return [...a.to(second), ...s.to(third.who)];
  },
  "closed-elsewhere": () => {
    // Two lenders; after the window the borrower takes A's acceptable offer; B's accept of our
    // counter comes while we are signing with A.
    const a = auction();
    const lenderA = newSigner().address;
    const lenderB = newSigner().address;
    a.actor.send({ type: "offer.received", from: lenderA, terms: offer(890) });
    a.actor.send({ type: "offer.received", from: lenderB, terms: offer(890) });
    a.clock.increment(101);
    a.actor.send({ type: "offer.received", from: lenderA, terms: offer(400) });
    const counterToB = [...a.emitted].reverse().find((e) => e.to === lenderB && e.message.kind === "offer");
    if (!counterToB) throw new Error("expected our counter to B");
    const terms = (counterToB.message as { body: { terms: Terms } }).body.terms;
    const bPort = portFor(a.sessionId, borrowerKey, lenderB);
    const agreement = bPort.build(terms);
    a.actor.send({ type: "accept.received", from: lenderB, agreement, signature: bPort.sign(agreement) });
    return a.to(lenderB);
  },
  "auction-deadline": () => {
    // The auction's deadline fires before the lender's session's own (a timer race under load).
    const clock = manualClock();
    const a = auction({ clock });
    const lender = newSigner().address;
    a.actor.send({ type: "offer.received", from: lender, terms: offer(890) });
    clock.fireLatest();
    return a.to(lender);
  },
  "borrower-aborted": () => {
    const a = auction();
    const lender = newSigner().address;
    a.actor.send({ type: "offer.received", from: lender, terms: offer(890) });
    a.actor.send({ type: "abort", reason: "shutting down" });
    const s = sealed();
    const b = s.bidder(700);
    b.commit();
    s.actor.send({ type: "abort", reason: "shutting down" });
    return [...a.to(lender), ...s.to(b.who)];
  },
  "sealed-only": async () => {
    const w = onBus();
    const ours = w.endpointOf(borrowerKey, "B");
    const host = createSealedBidAuctionHost({
      endpoint: ours,
      signer: borrowerKey,
      domain: testDomain,
      nowSec,
      log: w.log,
      onFinished: () => {},
    });
    ours.onMessage((m) => void host.route(m));
    const sessionId = randomSessionId();
    host.open({ sessionId, rfq, score: (t) => -t.rateBps, acceptable: () => true });
    await w.peer.send(borrowerKey.address, sessionId, "offer", { terms: offer(850) });
    await w.settle(() => w.rejects().length === 1);
    host.stop();
    return w.rejects();
  },
  "late-commit": () => {
    const s = sealed();
    s.clock.increment(101);
    const b = s.bidder(700);
    b.commit();
    return s.to(b.who);
  },
  "early-reveal": () => {
    const s = sealed();
    const b = s.bidder(700);
    b.commit();
    b.reveal();
    return s.to(b.who);
  },
  "no-commitment": () => {
    const s = sealed();
    s.bidder(800).commit();
    s.clock.increment(101);
    const b = s.bidder(700);
    b.reveal();
    return s.to(b.who);
  },
  "commitment-mismatch": () => {
    const s = sealed();
    const b = s.bidder(700);
    b.commit();
    s.clock.increment(101);
    b.reveal(offer(699));
    return s.to(b.who);
  },
  "unacceptable-terms": () => {
    const s = sealed({ acceptable: (t) => t.rateBps <= 600 });
    const b = s.bidder(700);
    b.commit();
    s.clock.increment(101);
    b.reveal();
    return s.to(b.who);
  },
  unrevealed: () => {
    const s = sealed();
    const b = s.bidder(700);
    b.commit();
    s.clock.increment(101);
    s.clock.increment(100);
    return s.to(b.who);
  },
  outbid: () => {
    const s = sealed();
    const cheap = s.bidder(600);
    const dear = s.bidder(700);
    cheap.commit();
    dear.commit();
    s.clock.increment(101);
    cheap.reveal();
    dear.reveal();
    return s.to(dear.who);
  },
};

describe("every refusal path carries its reason code", () => {
  it("the scenarios cover every code of the table", () => {
    expect(Object.keys(scenarios).sort()).toEqual([...REJECT_CODE_LIST].sort());
  });

  for (const code of REJECT_CODE_LIST) {
    it(`${code}`, async () => {
      const rejects = await scenarios[code]();
      expect(rejects.length).toBeGreaterThan(0);
      for (const r of rejects) {
        expect(r.code).toBe(code);
        expect(r.reason.length).toBeGreaterThan(0);
        expect(r.reason.length).toBeLessThanOrEqual(256);
      }
    });
  }

  it("codes are distinct per path: the agreement checks name their field or window", () => {
    const s = session();
    acceptOfOpening(s, { callRiskLevel: 3 }, "borrower");
    expect(rejectsOf(s.emitted)).toEqual([
      {
        code: "agreement-mismatch",
        reason: "accept does not match our offer: callRiskLevel is 3, expected absent",
      },
    ]);
    const d = session();
    acceptOfOpening(d, { deadline: NOW_SEC + 5_000n }, "borrower");
    expect(rejectsOf(d.emitted)[0]!.reason).toBe(
      `accept does not match our offer: deadline ${NOW_SEC + 5_000n} is outside our settlement window (${NOW_SEC} < deadline <= ${NOW_SEC + 1_200n})`,
    );
    // The commitment helper the sealed scenarios rely on is the wire's.
    expect(
      commitmentOf({ sessionId: s.sessionId, lender: zeroAddress, terms: offer(1), salt: s.sessionId }),
    ).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
