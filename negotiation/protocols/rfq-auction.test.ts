import { type Address, type Hex, keccak256, toHex, zeroAddress } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { type Actor, createActor, initialTransition, SimulatedClock } from "xstate";
import { type Agreement, verifyAgreementSignature } from "../../core/agreement.ts";
import { createSigner, type Signer } from "../../core/signer.ts";
import type { Strategy, Terms } from "../strategies/strategy.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createAgreementPort } from "./agreement-port.ts";
import {
  alternatingOffersMachine,
  type OutboundMessage,
  type SessionEvent,
  type SessionOutcome,
} from "./alternating-offers.ts";
import { linearBorrower } from "./fixtures.ts";
import {
  type AuctionOutbound,
  auctionProgress,
  type LenderProgress,
  type RfqAuctionOutcome,
  type RfqAuctionProgress,
  rfqAuctionMachine,
} from "./rfq-auction.ts";

const domain = { chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000aa" as const };
const usdc = "0x00000000000000000000000000000000000000c0" as const;
const weth = "0x00000000000000000000000000000000000000e0" as const;
const template = {
  principal: 1_000_000n,
  tenor: 86_400,
  collateralToken: weth,
  collateral: 700n,
  haircutBps: 2000,
};
const rfq = {
  principalToken: usdc,
  principal: 1_000_000n,
  maxRateBps: 900,
  tenor: 86_400,
  collateralToken: weth,
  collateral: 700n,
};
const LATENCY = 10;

function toEvent(m: OutboundMessage): SessionEvent {
  switch (m.kind) {
    case "offer":
      return { type: "offer.received", terms: m.body.terms };
    case "accept":
      return { type: "accept.received", ...m.body };
    case "confirm":
      return { type: "confirm.received", ...m.body };
    case "reject":
      return { type: "reject.received", reason: m.body.reason };
  }
}

type LenderSpec = { reservation: number; silent?: boolean };

/** A borrower auction and real lender sessions on one simulated clock, messages taking LATENCY ms. */
function market(p: {
  lenders: LenderSpec[];
  admissionMs?: number;
  deadlineMs?: number;
  maxRounds?: number;
  /** Lenders that answer only after `lateAfterMs` (default 30). */
  lateLenders?: LenderSpec[];
  lateAfterMs?: number;
  /** How long the host takes to record and publish the RFQ before reporting `rfq.sent` (default 0). */
  rfqDelayMs?: number;
}) {
  const clock = new SimulatedClock();
  const sessionId = keccak256(toHex("auction"));
  const borrower = createSigner(generatePrivateKey());
  const nowSec = () => 1_700_000_000n + BigInt(Math.floor(clock.now() / 1000));
  const portFor = (signer: Signer, lender: Address, borrowerAddress: Address) =>
    createAgreementPort({
      domain,
      signer,
      sessionId,
      lender,
      borrower: borrowerAddress,
      principalToken: usdc,
      settlementWindowSec: 300,
      nowSec,
    });
  const maxRounds = p.maxRounds ?? 4;
  // Deliveries by arrival time: messages sent at the same moment arrive at the same moment.
  const inFlight: { at: number; deliver: () => void }[] = [];
  const queue = {
    push: (deliver: () => void, afterMs = LATENCY) => inFlight.push({ at: clock.now() + afterMs, deliver }),
  };
  const step = (): boolean => {
    if (inFlight.length === 0) return false;
    const at = Math.min(...inFlight.map((x) => x.at));
    const i = inFlight.findIndex((x) => x.at === at);
    const [next] = inFlight.splice(i, 1);
    if (at > clock.now()) clock.increment(at - clock.now());
    next!.deliver();
    return true;
  };
  const transcript: string[] = [];
  const lenderActors = new Map<string, { actor: Actor<typeof alternatingOffersMachine>; signer: Signer }>();
  const auction = createActor(rfqAuctionMachine, {
    clock,
    input: {
      sessionId,
      rfq,
      strategyFor: () => linearBorrower(template),
      portFor: (lender) => portFor(borrower, lender, borrower.address),
      score: (t) => -t.rateBps,
      maxRounds,
      deadlineMs: p.deadlineMs ?? 1_000,
      admissionMs: p.admissionMs ?? 25,
      confirmTimeoutMs: 100,
      now: () => clock.now(),
    },
  });
  const spawnLender = (spec: LenderSpec, name: string) => {
    const signer = createSigner(generatePrivateKey());
    const actor = createActor(alternatingOffersMachine, {
      clock,
      input: {
        side: "lender",
        sessionId,
        peer: borrower.address,
        strategy: createTimeDependentStrategy({
          side: "lender",
          openingRateBps: 900,
          reservationRateBps: spec.reservation,
          exponent: 1,
          template,
        }),
        maxRounds,
        deadlineMs: p.deadlineMs ?? 1_000,
        confirmTimeoutMs: 100,
        opensWithOffer: true,
        now: () => clock.now(),
        port: portFor(signer, signer.address, borrower.address),
      },
    });
    lenderActors.set(signer.address.toLowerCase(), { actor, signer });
    actor.on("outbound", (e) => {
      transcript.push(`${name} ${e.message.kind}`);
      if (
        spec.silent &&
        e.message.kind === "offer" &&
        transcript.filter((x) => x === `${name} offer`).length > 1
      )
        return;
      queue.push(() => {
        // A host drops messages for an auction that has ended.
        if (auction.getSnapshot().status === "active")
          auction.send({ ...toEvent(e.message), from: signer.address } as never);
      });
    });
    return { name, signer, actor };
  };
  const lenders = p.lenders.map((spec, i) => spawnLender(spec, `L${i}`));
  const late = (p.lateLenders ?? []).map((spec, i) => spawnLender(spec, `late${i}`));
  const sent: AuctionOutbound[] = [];
  auction.on("outbound", (e) => {
    sent.push({ to: e.to, message: e.message } as AuctionOutbound);
    if (e.to === zeroAddress) {
      // As a host does: the RFQ leaves (after its record, rfqDelayMs), the auction hears so, and
      // the broadcast reaches every lender at once.
      queue.push(() => {
        auction.send({ type: "rfq.sent" });
        queue.push(() => {
          for (const l of lenders) l.actor.start();
        });
      }, p.rfqDelayMs ?? 0);
      return;
    }
    const target = lenderActors.get(e.to.toLowerCase());
    const message = e.message as OutboundMessage;
    transcript.push(`B->${e.to.slice(0, 6)} ${message.kind}`);
    if (target)
      queue.push(() => target.actor.getSnapshot().status === "active" && target.actor.send(toEvent(message)));
  });
  let lateStarted = false;
  const run = (): RfqAuctionOutcome => {
    auction.start();
    for (let i = 0; i < 10_000 && auction.getSnapshot().status === "active"; i++) {
      if (!step()) clock.increment(50);
      if (!lateStarted && clock.now() >= (p.lateAfterMs ?? 30)) {
        lateStarted = true;
        for (const l of late) l.actor.start();
      }
    }
    // Let the lenders hear the last word.
    for (let i = 0; i < 100 && step(); i++);
    return auction.getSnapshot().output!;
  };
  const lenderOutcome = (l: { actor: Actor<typeof alternatingOffersMachine> }) =>
    l.actor.getSnapshot().output as SessionOutcome | undefined;
  return { clock, auction, lenders, late, run, sent, borrower, lenderOutcome, transcript };
}

describe("rfq auction", () => {
  it("broadcasts the RFQ first (pure initial transition)", () => {
    const [, actions] = initialTransition(rfqAuctionMachine, {
      sessionId: keccak256(toHex("s")),
      rfq,
      strategyFor: () => {
        throw new Error("unused");
      },
      portFor: () => {
        throw new Error("unused");
      },
      score: () => 0,
      maxRounds: 4,
      deadlineMs: 1000,
      admissionMs: 100,
      confirmTimeoutMs: 100,
      now: () => 0,
    });
    const emitted = actions.find((a) => (a.type as string) === "xstate.emit") as
      | { params: { event: { to: string; message: { kind: string } } } }
      | undefined;
    expect(emitted?.params.event).toMatchObject({ to: zeroAddress, message: { kind: "rfq" } });
  });

  it("journals the RFQ as not sent until its host reports it sent", () => {
    const m = market({ lenders: [{ reservation: 700 }] });
    m.auction.start();
    expect(auctionProgress(m.auction.getSnapshot())).toMatchObject({ rfqSent: false, lenders: [] });
    m.auction.send({ type: "rfq.sent" });
    expect(auctionProgress(m.auction.getSnapshot())).toMatchObject({ rfqSent: true, lenders: [] });
  });

  it("negotiates with every lender at once and closes with the cheapest; the others end named", () => {
    const m = market({ lenders: [{ reservation: 700 }, { reservation: 500 }, { reservation: 600 }] });
    const out = m.run();
    expect(out.status).toBe("agreed");
    if (out.status !== "agreed") return;
    const winner = m.lenders[1]!;
    expect(out.lender).toBe(winner.signer.address);
    expect(() =>
      verifyAgreementSignature(domain, out.agreement, out.lenderSignature, "lender"),
    ).not.toThrow();
    expect(() =>
      verifyAgreementSignature(domain, out.agreement, out.borrowerSignature, "borrower"),
    ).not.toThrow();
    expect(out.agreement.rateBps).toBeLessThanOrEqual(800);
    expect(m.lenderOutcome(winner)?.status).toBe("agreed");
    // Every other lender ended, was told why, and holds no countersigned agreement.
    for (const l of [m.lenders[0]!, m.lenders[2]!]) {
      const o = m.lenderOutcome(l);
      expect(o?.status).not.toBe("agreed");
      expect(out.lenders[l.signer.address.toLowerCase()]?.end).toBe("outbid");
      expect(m.sent.some((s) => s.to === l.signer.address && s.message.kind === "reject")).toBe(true);
    }
    expect(out.lenders[winner.signer.address.toLowerCase()]?.end).toBe("won");
    // Exactly one borrower signature left the auction per agreement: one accept or one confirm.
    const signed = m.sent.filter((s) => s.message.kind === "accept" || s.message.kind === "confirm");
    expect(signed).toHaveLength(1);
  });

  it("refuses lenders that answer after admission closed", () => {
    const m = market({ lenders: [{ reservation: 500 }], lateLenders: [{ reservation: 400 }] });
    const out = m.run();
    const late = m.late[0]!;
    expect(out.lenders[late.signer.address.toLowerCase()]).toMatchObject({ end: "late" });
    expect(m.lenderOutcome(late)).toMatchObject({ status: "failed" });
    const o = m.lenderOutcome(late);
    expect(o?.status === "failed" && o.reason).toMatch(/rfq closed|closed with another lender/);
  });

  it("ends at the wall-time deadline when lenders go silent, rejecting each (simulated clock)", () => {
    const m = market({
      lenders: [
        { reservation: 850, silent: true },
        { reservation: 850, silent: true },
      ],
    });
    const out = m.run();
    expect(out).toMatchObject({ status: "no-deal", reason: "no agreement" });
    expect(m.clock.now()).toBeGreaterThanOrEqual(1_000);
    for (const l of m.lenders) {
      expect(out.lenders[l.signer.address.toLowerCase()]).toMatchObject({
        end: "failed",
        reason: "deadline",
      });
      expect(m.lenderOutcome(l)?.status).toBe("failed");
    }
  });

  it("ends with no deal when nobody answers", () => {
    const m = market({ lenders: [] });
    const out = m.run();
    expect(out).toMatchObject({ status: "no-deal", reason: "no offers" });
    expect(m.clock.now()).toBeLessThan(1_000);
  });

  /** An auction driven by hand on a simulated clock (admission 10 ms, deadline 1000 ms unless
   *  given); `start()` starts it and reports its RFQ sent, as a host does. */
  function manual(p: { admissionMs?: number; deadlineMs?: number; borrower?: () => Strategy } = {}) {
    const clock = new SimulatedClock();
    const sessionId: Hex = keccak256(toHex("race"));
    const borrower = createSigner(generatePrivateKey());
    const a = createSigner(generatePrivateKey());
    const b = createSigner(generatePrivateKey());
    const nowSec = () => 1_700_000_000n;
    const port = (signer: Signer, lender: Address) =>
      createAgreementPort({
        domain,
        signer,
        sessionId,
        lender,
        borrower: borrower.address,
        principalToken: usdc,
        settlementWindowSec: 300,
        nowSec,
      });
    const auction = createActor(rfqAuctionMachine, {
      clock,
      input: {
        sessionId,
        rfq,
        strategyFor: p.borrower ?? (() => linearBorrower(template)),
        portFor: (lender) => port(borrower, lender),
        score: (t) => -t.rateBps,
        maxRounds: 4,
        deadlineMs: p.deadlineMs ?? 1000,
        admissionMs: p.admissionMs ?? 10,
        confirmTimeoutMs: 100,
        now: () => clock.now(),
      },
    });
    const sent: AuctionOutbound[] = [];
    auction.on("outbound", (e) => {
      const { type: _, ...out } = e;
      sent.push(out as AuctionOutbound);
    });
    const start = () => {
      auction.start();
      auction.send({ type: "rfq.sent" });
    };
    const lastTo = (who: Address, kind: OutboundMessage["kind"]) =>
      sent.filter((s) => s.to === who && s.message.kind === kind).at(-1)?.message as
        | OutboundMessage
        | undefined;
    /** The lender's accept of our last counter-offer, signed by the lender. */
    const acceptBy = (signer: Signer) => {
      const m = lastTo(signer.address, "offer");
      if (m?.kind !== "offer") throw new Error("expected a counter-offer");
      const agreement = port(signer, signer.address).build(m.body.terms);
      return { agreement, signature: port(signer, signer.address).sign(agreement) };
    };
    return { clock, auction, start, sent, a, b, acceptBy, lastTo, port, borrower };
  }

  it("signs for one lender only when two accept our offers at the same moment", () => {
    const { clock, auction, start, sent, a, b, acceptBy } = manual();
    start();
    auction.send({ type: "offer.received", from: a.address, terms: { ...template, rateBps: 900 } });
    auction.send({ type: "offer.received", from: b.address, terms: { ...template, rateBps: 880 } });
    const fromA = acceptBy(a);
    const fromB = acceptBy(b);
    auction.send({ type: "accept.received", from: a.address, ...fromA });
    expect(auction.getSnapshot().status).toBe("done");
    const confirms = sent.filter((s) => s.message.kind === "confirm");
    expect(confirms.map((s) => s.to)).toEqual([a.address]);
    // Like a bilateral session, the confirm carries the fully signed agreement for a durable host.
    const signed = (confirms[0] as { signed?: { agreement: { rateBps: number }; lenderSignature: Hex } })
      .signed;
    expect(signed?.lenderSignature).toBe(fromA.signature);
    expect(signed?.agreement.rateBps).toBe(fromA.agreement.rateBps);
    // B's accept crossed our reject on the wire: B was told, and nothing more was signed.
    expect(sent.some((s) => s.to === b.address && s.message.kind === "reject")).toBe(true);
    clock.increment(10);
    const out = auction.getSnapshot().output!;
    expect(out).toMatchObject({ status: "agreed", lender: a.address });
    expect(out.lenders[b.address.toLowerCase()]).toMatchObject({ end: "outbid" });
    void fromB;
  });

  it("refuses a lender's accept while signing with another, then closes with the first", () => {
    const { clock, auction, start, sent, a, b, acceptBy, lastTo, port, borrower } = manual();
    start();
    auction.send({ type: "offer.received", from: a.address, terms: { ...template, rateBps: 900 } });
    auction.send({ type: "offer.received", from: b.address, terms: { ...template, rateBps: 900 } });
    clock.increment(10); // admission closes
    // A comes down to a rate the borrower takes: the borrower accepts and waits for A's confirm.
    auction.send({ type: "offer.received", from: a.address, terms: { ...template, rateBps: 450 } });
    const ours = lastTo(a.address, "accept");
    expect(ours?.kind).toBe("accept");
    // Meanwhile B accepts our earlier counter: we cannot sign twice, so B is aborted.
    auction.send({ type: "accept.received", from: b.address, ...acceptBy(b) });
    expect(lastTo(b.address, "reject")).toMatchObject({
      body: { reason: "abort: closed with another lender", code: "closed-elsewhere" },
    });
    expect(sent.filter((s) => s.message.kind === "confirm")).toHaveLength(0);
    // A confirms: agreed.
    if (ours?.kind !== "accept") return;
    const aPort = port(a, a.address);
    auction.send({
      type: "confirm.received",
      from: a.address,
      agreementId: aPort.id(ours.body.agreement),
      signature: aPort.sign(ours.body.agreement),
    });
    const out = auction.getSnapshot().output!;
    expect(out).toMatchObject({ status: "agreed", lender: a.address });
    expect(out.status === "agreed" && out.agreement.rateBps).toBe(450);
    expect(out.lenders[b.address.toLowerCase()]).toMatchObject({ end: "outbid" });
    void borrower;
  });

  it("during the admission window, takes an offer its counter could not beat", () => {
    const { auction, start, a, lastTo } = manual();
    start();
    // Our counter would be 300: the lender would take it, and we would pay 200 bps more.
    auction.send({ type: "offer.received", from: a.address, terms: { ...template, rateBps: 100 } });
    expect(lastTo(a.address, "accept")).toMatchObject({ body: { agreement: { rateBps: 100 } } });
    expect(lastTo(a.address, "offer")).toBeUndefined();
  });

  it("holds out during the admission window while its counter is better for it, then prefers the better standing offer", () => {
    // A borrower that counters at 50 and takes up to 500.
    const firm = (): Strategy => ({
      name: "firm",
      propose: () => ({ ...template, rateBps: 50 }),
      accept: (_view, theirs) => theirs.rateBps <= 500,
    });
    const { clock, auction, start, a, b, lastTo } = manual({ borrower: firm });
    start();
    auction.send({ type: "offer.received", from: a.address, terms: { ...template, rateBps: 100 } });
    // Acceptable, but admission is still open and our counter is better for us: countered.
    expect(lastTo(a.address, "accept")).toBeUndefined();
    expect(lastTo(a.address, "offer")).toMatchObject({ body: { terms: { rateBps: 50 } } });
    auction.send({ type: "offer.received", from: b.address, terms: { ...template, rateBps: 900 } });
    clock.increment(10);
    // B is now acceptable but A's standing 100 is better and still acceptable: B is countered.
    auction.send({ type: "offer.received", from: b.address, terms: { ...template, rateBps: 400 } });
    expect(lastTo(b.address, "accept")).toBeUndefined();
    // A repeats a good offer: accepted.
    auction.send({ type: "offer.received", from: a.address, terms: { ...template, rateBps: 150 } });
    expect(lastTo(a.address, "accept")).toBeDefined();
  });
  describe("clocks start when the RFQ has left (rfq.sent), not when the auction starts", () => {
    const offer = (rateBps: number) => ({ ...template, rateBps });

    it("admits a lender's first offer 100 ms after rfq.sent, though rfq.sent came 300 ms after the start", () => {
      // Admission 200 ms: on the auction's start it would have closed before the RFQ left.
      const { clock, auction, a, lastTo } = manual({ admissionMs: 200 });
      auction.start();
      clock.increment(300); // recording the auction (write-ahead) took 300 ms
      expect(auction.getSnapshot().status).toBe("active");
      auction.send({ type: "rfq.sent" });
      clock.increment(100);
      auction.send({ type: "offer.received", from: a.address, terms: offer(900) });
      // Admitted: countered, not refused.
      expect(lastTo(a.address, "reject")).toBeUndefined();
      expect(lastTo(a.address, "offer")).toMatchObject({ kind: "offer" });
      expect(auctionProgress(auction.getSnapshot())).toMatchObject({
        startedAt: 300,
        admissionClosed: false,
        rfqSent: true,
        lenders: [{ lender: a.address, joinedAt: 400 }],
      });
      // The window closes 200 ms after the RFQ left, not after the start.
      clock.increment(99);
      expect(auctionProgress(auction.getSnapshot()).admissionClosed).toBe(false);
      clock.increment(1);
      expect(auctionProgress(auction.getSnapshot()).admissionClosed).toBe(true);
    });

    it("the deadline counts from rfq.sent too", () => {
      const { clock, auction, a, sent } = manual({ deadlineMs: 1000 });
      auction.start();
      clock.increment(300);
      auction.send({ type: "rfq.sent" });
      auction.send({ type: "offer.received", from: a.address, terms: offer(900) });
      // A goes silent. 1000 ms after the start the auction (and A's session) still runs.
      clock.increment(700);
      expect(auction.getSnapshot().status).toBe("active");
      expect(sent.some((s) => s.message.kind === "reject")).toBe(false);
      // 1000 ms after the RFQ left: A's session ends at its deadline, and so does the auction.
      clock.increment(300);
      expect(sent.at(-1)).toMatchObject({
        to: a.address,
        message: { kind: "reject", body: { reason: "deadline", code: "deadline" } },
      });
      clock.increment(50);
      expect(auction.getSnapshot().output).toMatchObject({
        status: "no-deal",
        reason: "no agreement",
        lenders: { [a.address.toLowerCase()]: { end: "failed", reason: "deadline" } },
      });
    });

    it("journals when the auction started until the RFQ left, then when it left", () => {
      const { clock, auction } = manual();
      auction.start();
      clock.increment(300);
      // The record written ahead of the RFQ: admission has not begun, nothing has left.
      expect(auctionProgress(auction.getSnapshot())).toEqual({
        startedAt: 0,
        admissionClosed: false,
        rfqSent: false,
        lenders: [],
      });
      auction.send({ type: "rfq.sent" });
      // What a restart resumes from: the deadline and the window count from 300.
      expect(auctionProgress(auction.getSnapshot())).toMatchObject({ startedAt: 300, rfqSent: true });
    });

    it("an RFQ that never leaves ends the auction cleanly after the deadline from its start", () => {
      const { clock, auction, sent } = manual({ deadlineMs: 1000 });
      auction.start();
      clock.increment(999);
      expect(auction.getSnapshot().status).toBe("active");
      clock.increment(1);
      expect(auction.getSnapshot().status).toBe("done");
      expect(auction.getSnapshot().output).toEqual({
        status: "no-deal",
        reason: "rfq not sent",
        lenders: {},
      });
      expect(sent.map((s) => s.message.kind)).toEqual(["rfq"]);
    });

    it("an RFQ its host could not record or publish: aborted at once, as before", () => {
      const { auction, sent } = manual();
      auction.start();
      auction.send({ type: "abort", reason: "rfq not journaled" });
      expect(auction.getSnapshot().output).toEqual({ status: "no-deal", reason: "no offers", lenders: {} });
      expect(sent.map((s) => s.message.kind)).toEqual(["rfq"]);
    });

    it("an offer that arrives before rfq.sent proves the RFQ left: admitted, and the clocks start there", () => {
      const { clock, auction, a, lastTo } = manual({ admissionMs: 200 });
      auction.start();
      clock.increment(300);
      auction.send({ type: "offer.received", from: a.address, terms: offer(900) });
      expect(lastTo(a.address, "offer")).toMatchObject({ kind: "offer" });
      expect(auctionProgress(auction.getSnapshot())).toMatchObject({
        startedAt: 300,
        admissionClosed: false,
        rfqSent: true,
      });
      // The host's report that follows changes nothing.
      clock.increment(100);
      auction.send({ type: "rfq.sent" });
      expect(auctionProgress(auction.getSnapshot())).toMatchObject({ startedAt: 300, rfqSent: true });
      clock.increment(100);
      expect(auctionProgress(auction.getSnapshot()).admissionClosed).toBe(true);
    });

    it("a slow host: lenders that answer as soon as they see the RFQ get their sessions", () => {
      const m = market({ lenders: [{ reservation: 700 }, { reservation: 500 }], rfqDelayMs: 300 });
      const out = m.run();
      expect(out).toMatchObject({ status: "agreed", lender: m.lenders[1]!.signer.address });
      expect(out.lenders[m.lenders[0]!.signer.address.toLowerCase()]).toMatchObject({ end: "outbid" });
    });
  });
});

describe("rfq auction resumed after a restart", () => {
  const offer = (rateBps: number) => ({ ...template, rateBps });
  type Parties = {
    a: Signer;
    b: Signer;
    c: Signer;
    /** Our accept of `terms` from `lender`: the agreement and our signature. */
    ourAccept: (lender: Signer, terms: Terms) => { agreement: Agreement; mySignature: Hex };
    /** `lender`'s signature of `agreement`. */
    theirs: (lender: Signer, agreement: Agreement) => Hex;
  };

  /** An auction (deadline 1000 ms, admission 10 ms, confirm timeout 100 ms, started at 0) resumed
   *  at `at` ms from the journaled `lenders`, on a simulated clock. */
  function resumed(p: { at: number; lenders: (x: Parties) => LenderProgress[] }) {
    const clock = new SimulatedClock();
    clock.set(p.at);
    const sessionId: Hex = keccak256(toHex("resumed"));
    const borrower = createSigner(generatePrivateKey());
    const [a, b, c] = [0, 1, 2].map(() => createSigner(generatePrivateKey())) as [Signer, Signer, Signer];
    const nowSec = () => 1_700_000_000n;
    const port = (signer: Signer, lender: Address) =>
      createAgreementPort({
        domain,
        signer,
        sessionId,
        lender,
        borrower: borrower.address,
        principalToken: usdc,
        settlementWindowSec: 300,
        nowSec,
      });
    const parties: Parties = {
      a,
      b,
      c,
      ourAccept: (lender, terms) => {
        const agreement = port(borrower, lender.address).build(terms);
        return { agreement, mySignature: port(borrower, lender.address).sign(agreement) };
      },
      theirs: (lender, agreement) => port(lender, lender.address).sign(agreement),
    };
    const progress: RfqAuctionProgress = {
      startedAt: 0,
      admissionClosed: p.at >= 10,
      lenders: p.lenders(parties),
    };
    const auction = createActor(rfqAuctionMachine, {
      clock,
      input: {
        sessionId,
        rfq,
        strategyFor: () => linearBorrower(template),
        portFor: (lender) => port(borrower, lender),
        score: (t) => -t.rateBps,
        maxRounds: 4,
        deadlineMs: 1000,
        admissionMs: 10,
        confirmTimeoutMs: 100,
        now: () => clock.now(),
        resume: progress,
      },
    });
    const sent: AuctionOutbound[] = [];
    auction.on("outbound", (e) => {
      const { type: _, ...out } = e;
      sent.push(out as AuctionOutbound);
    });
    const to = (who: Signer) => sent.filter((x) => x.to === who.address).map((x) => x.message);
    /** Every signature of ours that left: accepts and confirms. */
    const signatures = () => sent.filter((x) => x.message.kind === "accept" || x.message.kind === "confirm");
    return { ...parties, clock, auction, sent, to, signatures, port };
  }

  const lender = (who: Signer, over: Partial<LenderProgress> = {}): LenderProgress => ({
    lender: who.address,
    joinedAt: 2,
    round: 1,
    myLast: offer(300),
    theirLast: offer(900),
    ourMove: false,
    ...over,
  });
  const abort = {
    kind: "reject",
    body: { reason: "abort: closed with another lender", code: "closed-elsewhere" },
  };

  it("sends no RFQ; answers the offer that waited for us, and asks again where the turn was the lender's", () => {
    const m = resumed({
      at: 100,
      lenders: ({ a, b }) => [lender(a, { ourMove: true, theirLast: offer(880) }), lender(b)],
    });
    m.auction.start();
    expect(m.sent.some((x) => x.message.kind === "rfq")).toBe(false);
    // A's offer is answered with our next counter; B gets our standing offer again.
    const toA = m.to(m.a);
    expect(toA).toHaveLength(1);
    expect(toA[0]?.kind === "offer" && toA[0].body.terms.rateBps).toBeGreaterThan(300);
    expect(m.to(m.b)).toEqual([{ kind: "offer", body: { terms: offer(300) } }]);
    // What a journal would write now: A answered (round 2, not our move), B as it was.
    const progress = auctionProgress(m.auction.getSnapshot());
    // A journal without `rfqSent` predates it: its RFQ had been sent.
    expect(progress).toMatchObject({ startedAt: 0, admissionClosed: true, rfqSent: true });
    const byLender = Object.fromEntries(progress.lenders.map((l) => [l.lender, l]));
    expect(byLender[m.a.address]).toMatchObject({ round: 2, ourMove: false, theirLast: offer(880) });
    expect(byLender[m.b.address]).toMatchObject({ round: 1, ourMove: false, myLast: offer(300) });
  });

  it("goes on to close with the best lender; the other ends outbid, told by a reject", () => {
    const m = resumed({ at: 100, lenders: ({ a, b }) => [lender(a), lender(b)] });
    m.auction.start();
    m.auction.send({ type: "offer.received", from: m.b.address, terms: offer(700) });
    m.auction.send({ type: "offer.received", from: m.a.address, terms: offer(420) });
    // A's 420 is acceptable and the best standing offer: accepted, and journaled as signed.
    const accept = m.to(m.a).find((x) => x.kind === "accept");
    if (accept?.kind !== "accept") throw new Error("expected an accept to A");
    const journaled = auctionProgress(m.auction.getSnapshot()).lenders.find((l) => l.lender === m.a.address);
    expect(journaled?.signed).toEqual({
      agreement: accept.body.agreement,
      mySignature: accept.body.signature,
    });
    const aPort = m.port(m.a, m.a.address);
    m.auction.send({
      type: "confirm.received",
      from: m.a.address,
      agreementId: aPort.id(accept.body.agreement),
      signature: aPort.sign(accept.body.agreement),
    });
    const out = m.auction.getSnapshot().output!;
    expect(out).toMatchObject({ status: "agreed", lender: m.a.address });
    expect(out.lenders[m.b.address.toLowerCase()]).toMatchObject({ end: "outbid" });
    expect(m.to(m.b).at(-1)).toEqual(abort);
    expect(m.signatures()).toHaveLength(1);
  });

  it("keeps the admission window and the deadline of the original start", () => {
    // Resumed 5 ms into the 10 ms admission window: a new lender still joins until 10 ms.
    const m = resumed({ at: 5, lenders: ({ a }) => [lender(a, { joinedAt: 1 })] });
    m.auction.start();
    m.auction.send({ type: "offer.received", from: m.b.address, terms: offer(900) });
    expect(m.to(m.b)[0]).toMatchObject({ kind: "offer" });
    m.clock.increment(5);
    m.auction.send({ type: "offer.received", from: m.c.address, terms: offer(900) });
    expect(m.to(m.c)).toEqual([{ kind: "reject", body: { reason: "rfq closed", code: "admission-closed" } }]);
    // Nobody answers any more: the auction ends at its original deadline (1000 ms), not later.
    m.clock.increment(990);
    for (const who of [m.a, m.b])
      expect(m.to(who).at(-1)).toEqual({ kind: "reject", body: { reason: "deadline", code: "deadline" } });
    m.clock.increment(50);
    expect(m.auction.getSnapshot().output).toMatchObject({ status: "no-deal", reason: "no agreement" });
  });

  it("a lender we had signed an accept for gets it again and waits alone: nobody else is signed for", () => {
    let signed: { agreement: Agreement; mySignature: Hex } | undefined;
    const m = resumed({
      at: 100,
      lenders: ({ a, b, c, ourAccept }) => {
        signed = ourAccept(a, offer(600));
        // B's better offer waited for our answer: we must not take it now.
        return [lender(b, { ourMove: true, theirLast: offer(400) }), lender(a, { signed }), lender(c)];
      },
    });
    m.auction.start();
    expect(m.to(m.a)).toEqual([
      { kind: "accept", body: { agreement: signed!.agreement, signature: signed!.mySignature } },
    ]);
    for (const who of [m.b, m.c]) expect(m.to(who)).toEqual([abort]);
    // A confirms: agreed; the others ended outbid; the only signature that left was A's accept.
    m.auction.send({
      type: "confirm.received",
      from: m.a.address,
      agreementId: m.port(m.a, m.a.address).id(signed!.agreement),
      signature: m.theirs(m.a, signed!.agreement),
    });
    const out = m.auction.getSnapshot().output!;
    expect(out).toMatchObject({ status: "agreed", lender: m.a.address, agreement: signed!.agreement });
    for (const who of [m.b, m.c])
      expect(out.lenders[who.address.toLowerCase()]).toMatchObject({ end: "outbid" });
    expect(m.signatures()).toHaveLength(1);
  });

  it("without the confirm it ends unconfirmed after the confirm timeout, still signing nobody else", () => {
    const m = resumed({
      at: 100,
      lenders: ({ a, b, ourAccept }) => [lender(a, { signed: ourAccept(a, offer(600)) }), lender(b)],
    });
    m.auction.start();
    // B tries to accept our standing offer: refused, it has been aborted already.
    m.auction.send({ type: "offer.received", from: m.b.address, terms: offer(350) });
    m.clock.increment(100);
    const out = m.auction.getSnapshot().output!;
    expect(out).toMatchObject({ status: "unconfirmed", lender: m.a.address });
    expect(m.signatures().map((x) => x.to)).toEqual([m.a.address]);
  });

  it("a lender that had countersigned: the auction ends agreed at once and the others are aborted", () => {
    let agreed: { agreement: Agreement; mySignature: Hex; theirSignature: Hex } | undefined;
    const m = resumed({
      at: 100,
      lenders: ({ a, b, ourAccept, theirs }) => {
        const s = ourAccept(a, offer(600));
        agreed = { ...s, theirSignature: theirs(a, s.agreement) };
        return [lender(a, { signed: agreed }), lender(b)];
      },
    });
    m.auction.start();
    const out = m.auction.getSnapshot().output!;
    expect(out).toMatchObject({
      status: "agreed",
      lender: m.a.address,
      lenderSignature: agreed!.theirSignature,
      borrowerSignature: agreed!.mySignature,
    });
    expect(m.to(m.a)).toEqual([]);
    expect(m.to(m.b)).toEqual([abort]);
    expect(out.lenders[m.b.address.toLowerCase()]).toMatchObject({ end: "outbid" });
  });

  it("past its deadline it ends at once: an accept of ours unconfirmed, the other lenders told", () => {
    const m = resumed({
      at: 5_000,
      lenders: ({ a, b, ourAccept }) => [lender(a, { signed: ourAccept(a, offer(600)) }), lender(b)],
    });
    m.auction.start();
    expect(m.auction.getSnapshot().output).toMatchObject({ status: "unconfirmed", lender: m.a.address });
    expect(m.to(m.a)).toEqual([]);
    expect(m.to(m.b)).toEqual([abort]);

    const n = resumed({ at: 5_000, lenders: ({ a, b }) => [lender(a, { ourMove: true }), lender(b)] });
    n.auction.start();
    n.clock.increment(0);
    expect(n.auction.getSnapshot().output).toMatchObject({ status: "no-deal", reason: "no agreement" });
    for (const who of [n.a, n.b])
      expect(n.to(who)).toEqual([{ kind: "reject", body: { reason: "deadline", code: "deadline" } }]);
  });

  it("keeps lenders whose part had ended as they ended", () => {
    const m = resumed({
      at: 100,
      lenders: ({ a, b }) => [
        lender(a, { ended: { end: "failed", reason: "reject.received: no" } }),
        lender(b),
      ],
    });
    m.auction.start();
    expect(m.to(m.a)).toEqual([]);
    m.auction.send({ type: "reject.received", from: m.b.address, reason: "bye" });
    expect(m.auction.getSnapshot().output?.lenders[m.a.address.toLowerCase()]).toMatchObject({
      end: "failed",
      reason: "reject.received: no",
    });
  });
});
