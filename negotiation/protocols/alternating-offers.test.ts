import { type Hex, keccak256, toHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { type AnyActorRef, createActor, SimulatedClock } from "xstate";
import { hashAgreement, verifyAgreementSignature } from "../../core/agreement.ts";
import { createSigner } from "../../core/signer.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createAgreementPort } from "./agreement-port.ts";
import {
  type AlternatingOffersInput,
  alternatingOffersMachine,
  type OutboundMessage,
  type SessionEvent,
  type SessionOutcome,
} from "./alternating-offers.ts";

const domain = { chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000aa" as const };
const lenderKey = createSigner(generatePrivateKey());
const borrowerKey = createSigner(generatePrivateKey());
const usdc = "0x00000000000000000000000000000000000000c0" as const;
const weth = "0x00000000000000000000000000000000000000e0" as const;
const template = {
  principal: 1_000_000n,
  tenor: 86_400,
  collateralToken: weth,
  collateral: 700n,
  haircutBps: 2000,
};

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

function setupPair(opts: {
  lenderReservation?: number;
  borrowerReservation?: number;
  maxRounds?: number;
  clock?: SimulatedClock;
}) {
  const clock = opts.clock ?? new SimulatedClock();
  const sessionId = keccak256(toHex("session-1"));
  const nowSec = () => BigInt(Math.floor(clock.now() / 1000)) + 1_700_000_000n;
  const common = {
    sessionId,
    maxRounds: opts.maxRounds ?? 4,
    deadlineMs: 10_000,
    confirmTimeoutMs: 2_000,
    now: () => clock.now(),
  };
  const portFor = (signer: typeof lenderKey) =>
    createAgreementPort({
      domain,
      signer,
      sessionId,
      lender: lenderKey.address,
      borrower: borrowerKey.address,
      principalToken: usdc,
      settlementWindowSec: 300,
      nowSec,
    });
  const lenderInput: AlternatingOffersInput = {
    ...common,
    side: "lender",
    peer: borrowerKey.address,
    opensWithOffer: true,
    strategy: createTimeDependentStrategy({
      side: "lender",
      openingRateBps: 900,
      reservationRateBps: opts.lenderReservation ?? 500,
      exponent: 1,
      template,
    }),
    port: portFor(lenderKey),
  };
  const borrowerInput: AlternatingOffersInput = {
    ...common,
    side: "borrower",
    peer: lenderKey.address,
    opensWithOffer: false,
    strategy: createTimeDependentStrategy({
      side: "borrower",
      openingRateBps: 300,
      reservationRateBps: opts.borrowerReservation ?? 800,
      exponent: 1,
      template,
    }),
    port: portFor(borrowerKey),
  };
  const lender = createActor(alternatingOffersMachine, { input: lenderInput, clock });
  const borrower = createActor(alternatingOffersMachine, { input: borrowerInput, clock });
  const transcript: string[] = [];
  const wire = (from: AnyActorRef, to: AnyActorRef, name: string) =>
    from.on("outbound", (e: { message: OutboundMessage }) => {
      transcript.push(
        `${name} ${e.message.kind}${e.message.kind === "offer" ? ` ${e.message.body.terms.rateBps}` : ""}`,
      );
      // Deliver asynchronously, as a transport would.
      queueMicrotask(() => to.send(toEvent(e.message)));
    });
  return { clock, lender, borrower, wire, transcript };
}

const outcome = (a: AnyActorRef) =>
  new Promise<SessionOutcome>((resolve) => {
    const sub = a.subscribe((s: { status: string; output?: SessionOutcome }) => {
      if (s.status === "done") {
        sub.unsubscribe();
        resolve(s.output!);
      }
    });
  });

describe("alternating offers", () => {
  it("concedes to an agreement that both sides signed", async () => {
    const { lender, borrower, wire, transcript } = setupPair({});
    wire(lender, borrower, "lender");
    wire(borrower, lender, "borrower");
    const done = Promise.all([outcome(lender), outcome(borrower)]);
    borrower.start();
    lender.start();
    const [l, b] = await done;
    expect(l.status).toBe("agreed");
    expect(b.status).toBe("agreed");
    if (l.status !== "agreed" || b.status !== "agreed") return;
    expect(hashAgreement(domain, l.agreement)).toBe(hashAgreement(domain, b.agreement));
    expect(() => verifyAgreementSignature(domain, l.agreement, l.lenderSignature, "lender")).not.toThrow();
    expect(() =>
      verifyAgreementSignature(domain, l.agreement, b.borrowerSignature, "borrower"),
    ).not.toThrow();
    expect(l.agreement.rateBps).toBeGreaterThanOrEqual(500);
    expect(l.agreement.rateBps).toBeLessThanOrEqual(800);
    expect(transcript[0]).toBe("lender offer 900");
    expect(transcript.at(-1)).toBe(
      transcript.at(-2)?.startsWith("lender accept") ? "borrower confirm" : "lender confirm",
    );
  });

  it("fails cleanly on both sides when reservation ranges do not overlap", async () => {
    const { lender, borrower, wire } = setupPair({ lenderReservation: 700, borrowerReservation: 600 });
    wire(lender, borrower, "lender");
    wire(borrower, lender, "borrower");
    const done = Promise.all([outcome(lender), outcome(borrower)]);
    borrower.start();
    lender.start();
    const [l, b] = await done;
    expect(l.status).toBe("failed");
    expect(b.status).toBe("failed");
  });

  it("ends at the wall-time deadline when the peer is silent (simulated clock)", async () => {
    const { lender, clock } = setupPair({});
    const sent: OutboundMessage[] = [];
    lender.on("outbound", (e: { message: OutboundMessage }) => sent.push(e.message));
    const done = outcome(lender);
    lender.start();
    clock.increment(9_999);
    expect(lender.getSnapshot().status).toBe("active");
    clock.increment(1);
    const l = await done;
    expect(l).toMatchObject({ status: "failed", reason: "deadline" });
    expect(sent.map((m) => m.kind)).toEqual(["offer", "reject"]);
  });

  it("after accepting, a missing confirmation ends as unconfirmed, not failed", async () => {
    const { lender, clock } = setupPair({});
    const done = outcome(lender);
    lender.start();
    lender.send({ type: "offer.received", terms: { ...template, rateBps: 900 } });
    expect(lender.getSnapshot().value).toBe("awaitingConfirm");
    clock.increment(2_000);
    const l = await done;
    expect(l.status).toBe("unconfirmed");
  });

  it("refuses an accept that does not match our offer, and one signed by the wrong key", async () => {
    const { lender, borrower } = setupPair({});
    const sent: OutboundMessage[] = [];
    lender.on("outbound", (e: { message: OutboundMessage }) => sent.push(e.message));
    const done = outcome(lender);
    lender.start();
    const offer = sent[0];
    if (offer?.kind !== "offer") throw new Error("expected an offer");
    const port = borrower.getSnapshot().context.port;
    const tampered = port.build({ ...offer.body.terms, rateBps: 100 });
    lender.send({ type: "accept.received", agreement: tampered, signature: port.sign(tampered) as Hex });
    const l = await done;
    expect(l).toMatchObject({
      status: "failed",
      code: "agreement-mismatch",
      reason: expect.stringMatching(/^accept does not match our offer: rateBps is 100, expected \d+$/),
    });
    expect(sent.at(-1)).toEqual({
      kind: "reject",
      body: { code: "agreement-mismatch", reason: expect.stringContaining("rateBps is 100") },
    });

    const second = setupPair({});
    const sent2: OutboundMessage[] = [];
    second.lender.on("outbound", (e: { message: OutboundMessage }) => sent2.push(e.message));
    const done2 = outcome(second.lender);
    second.lender.start();
    const offer2 = sent2[0];
    if (offer2?.kind !== "offer") throw new Error("expected an offer");
    const lenderPort = second.lender.getSnapshot().context.port;
    const agreement = second.borrower.getSnapshot().context.port.build(offer2.body.terms);
    // Built as the borrower would, but signed by the lender itself, not the borrower: refused.
    second.lender.send({ type: "accept.received", agreement, signature: lenderPort.sign(agreement) });
    expect(await done2).toMatchObject({ status: "failed", code: "agreement-signature" });
    expect(sent2.at(-1)).toEqual({
      kind: "reject",
      body: { code: "agreement-signature", reason: "accept is not signed by the borrower" },
    });
  });

  it("resumed after our accept, waits for the confirm of that agreement and sends nothing", async () => {
    const { borrower, lender, clock } = setupPair({});
    const input = borrower.getSnapshot().context;
    const agreement = input.port.build({ ...template, rateBps: 600 });
    const resumed = createActor(alternatingOffersMachine, {
      clock,
      input: {
        ...input,
        resume: {
          round: 2,
          myLast: { ...template, rateBps: 500 },
          theirLast: { ...template, rateBps: 600 },
          startedAt: 0,
          accepted: { agreement, signature: input.port.sign(agreement) },
        },
      },
    });
    const sent: OutboundMessage[] = [];
    resumed.on("outbound", (e: { message: OutboundMessage }) => sent.push(e.message));
    const done = outcome(resumed);
    resumed.start();
    expect(resumed.getSnapshot().value).toBe("awaitingConfirm");
    const lenderPort = lender.getSnapshot().context.port;
    resumed.send({
      type: "confirm.received",
      agreementId: lenderPort.id(agreement),
      signature: lenderPort.sign(agreement),
    });
    expect(await done).toMatchObject({ status: "agreed", agreement, rounds: 2 });
    expect(sent).toEqual([]);
  });
});
