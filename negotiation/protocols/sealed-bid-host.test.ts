/**
 * The sealed-bid auction over real endpoints on the in-process bus: signed envelopes, validation,
 * replay checks, real (short) timers. The borrower runs a SealedBidAuctionHost; honest lenders and
 * a lying one run SealedBidLenderHosts; a silent and a late lender speak through bare endpoints;
 * a lender that mistakes the sealed RFQ for an open one runs an ordinary session host.
 */
import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import { verifyAgreementSignature } from "../../core/agreement.ts";
import { createMemoryLogger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import { createEndpoint, type Endpoint } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import type { Terms } from "../strategies/strategy.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createInProcessBus } from "../transport/in-process.ts";
import { newSigner, testDomain, WETH } from "../wire/fixtures.ts";
import type { RfqMessage, SessionMessage } from "../wire/schemas.ts";
import { linearBorrower, randomSessionId, loanRfq as rfq } from "./fixtures.ts";
import { createRfqAuctionHost } from "./rfq-auction-host.ts";
import {
  createSealedBidAuctionHost,
  createSealedBidLenderHost,
  SEALED_ONLY_REASON,
  type SealedBidFinished,
  type SealedBidLenderFinished,
  type SealedBidSendEvent,
} from "./sealed-bid-host.ts";
import { sealBid } from "./sealed-bid-messages.ts";
import { createSessionHost, type SessionFinished, toSessionEvent } from "./session-host.ts";

const bid = (rateBps: number): Terms => ({
  principal: 1_000_000n,
  rateBps,
  tenor: 86_400,
  collateralToken: WETH,
  collateral: 700n,
  haircutBps: 2000,
});
const COMMIT_MS = 300;
const REVEAL_MS = 500;
const nowSec = () => BigInt(Math.floor(Date.now() / 1000));

function world(count: number) {
  const bus = createInProcessBus();
  const log = createMemoryLogger("warn");
  const borrower = newSigner();
  const lenders = Array.from({ length: count }, () => newSigner());
  const peers = createPeerRegistry(
    [borrower, ...lenders].map((s, i) => ({
      address: s.address,
      name: `agent-${i}`,
      protocol: "lending" as const,
    })),
  );
  const endpointOf = (signer: Signer, listen: boolean) =>
    createEndpoint({
      transport: bus.createTransport({ name: signer.address }),
      signer,
      domain: testDomain,
      peers,
      log,
      ...(listen ? { rfqTokens: "all" as const } : {}),
    });
  return { bus, log, borrower, lenders, endpointOf };
}

/** Every session message an endpoint receives. */
function inboxOf(endpoint: Endpoint): SessionMessage[] {
  const got: SessionMessage[] = [];
  endpoint.onMessage((m) => void got.push(m));
  return got;
}

describe("sealed-bid host", () => {
  it("runs a sealed auction over signed messages: the best valid reveal wins, cheats are named", async () => {
    const w = world(6);
    const [honest700, honest550, liar, silent, late, open] = w.lenders as [
      Signer,
      Signer,
      Signer,
      Signer,
      Signer,
      Signer,
    ];

    // Lenders running the sealed-bid lender host: two honest, one that reveals another bid.
    const lenderEnds = new Map<Address, SealedBidLenderFinished>();
    const recorded: SealedBidSendEvent[] = [];
    for (const [signer, place] of [
      [honest700, (m: RfqMessage) => ({ rfq: m, terms: bid(700) })],
      [honest550, (m: RfqMessage) => ({ rfq: m, terms: bid(550) })],
      [
        liar,
        (m: RfqMessage) => ({
          rfq: m,
          sealed: {
            commit: sealBid({ sessionId: m.sessionId, lender: liar.address, terms: bid(500) }).commit,
            reveal: sealBid({ sessionId: m.sessionId, lender: liar.address, terms: bid(400) }).reveal,
          },
        }),
      ],
    ] as const) {
      const endpoint = w.endpointOf(signer, true);
      const host = createSealedBidLenderHost({
        endpoint,
        signer,
        domain: testDomain,
        options: { revealDelayMs: 50, commitMarginMs: 50, awardTimeoutMs: 1_000 },
        nowSec,
        log: w.log,
        beforeSend: async (_to, _sid, ev) => void (signer === honest550 && recorded.push(ev)),
        onFinished: (f) => lenderEnds.set(signer.address, f),
      });
      endpoint.onRfq((m) => void host.bid(place(m)));
      endpoint.onMessage((m) => void host.route(m));
    }

    // A lender that commits and never reveals, and one that commits after the deadline (its own
    // lender host would not even try).
    const silentEndpoint = w.endpointOf(silent, true);
    const silentInbox = inboxOf(silentEndpoint);
    silentEndpoint.onRfq((m) => {
      const { commit } = sealBid({ sessionId: m.sessionId, lender: silent.address, terms: bid(450) });
      void silentEndpoint.reply(m, "commit", commit);
    });
    const lateEndpoint = w.endpointOf(late, true);
    const lateInbox = inboxOf(lateEndpoint);
    const lateHost = createSealedBidLenderHost({
      endpoint: lateEndpoint,
      signer: late,
      domain: testDomain,
      nowSec,
      log: w.log,
      onFinished: () => {},
    });
    let lateHostBid: boolean | undefined;
    lateEndpoint.onRfq((m) => {
      setTimeout(() => {
        lateHostBid = lateHost.bid({ rfq: m, terms: bid(300) });
        const { commit } = sealBid({ sessionId: m.sessionId, lender: late.address, terms: bid(300) });
        void lateEndpoint.reply(m, "commit", commit);
      }, COMMIT_MS + 50);
    });

    // A lender that takes the sealed RFQ for an open one and sends an offer.
    const openEndpoint = w.endpointOf(open, true);
    let openEnd: SessionFinished | undefined;
    const sessions = createSessionHost({
      endpoint: openEndpoint,
      signer: open,
      domain: testDomain,
      options: { deadlineMs: 3_000 },
      nowSec,
      log: w.log,
      onFinished: (f) => {
        openEnd = f;
      },
    });
    openEndpoint.onRfq((m) =>
      sessions.open({
        side: "lender",
        sessionId: m.sessionId,
        peer: m.from,
        rfq: m.body,
        strategy: createTimeDependentStrategy({
          side: "lender",
          openingRateBps: 900,
          reservationRateBps: 500,
          exponent: 1,
          template: bid(0),
        }),
      }),
    );
    openEndpoint.onMessage((m) => void sessions.route(m));

    // The borrower.
    const endpoint = w.endpointOf(w.borrower, false);
    const sessionId = randomSessionId();
    const started = Date.now();
    const finished = new Promise<SealedBidFinished>((resolve) => {
      const host = createSealedBidAuctionHost({
        endpoint,
        signer: w.borrower,
        domain: testDomain,
        options: { commitMs: COMMIT_MS, revealMs: REVEAL_MS, confirmTimeoutMs: 1_000 },
        nowSec,
        log: w.log,
        onFinished: resolve,
      });
      endpoint.onMessage((m) => void host.route(m));
      const auction = host.open({
        sessionId,
        rfq,
        score: (t) => -t.rateBps,
        acceptable: (t) => t.rateBps <= 800,
      });
      expect(auction).toEqual({
        mode: "sealed",
        commitBy: expect.any(Number),
        revealBy: auction.commitBy + REVEAL_MS,
      });
    });

    const { outcome } = await finished;
    // Silent never reveals, so the award waits for revealBy.
    expect(Date.now() - started).toBeGreaterThanOrEqual(COMMIT_MS + REVEAL_MS - 5);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.status).toBe("agreed");
    if (outcome.status !== "agreed") return;
    expect(outcome.lender).toBe(honest550.address);
    expect(outcome.agreement).toMatchObject({ sessionId, borrower: w.borrower.address, rateBps: 550 });
    expect(() =>
      verifyAgreementSignature(testDomain, outcome.agreement, outcome.lenderSignature, "lender"),
    ).not.toThrow();
    expect(() =>
      verifyAgreementSignature(testDomain, outcome.agreement, outcome.borrowerSignature, "borrower"),
    ).not.toThrow();

    const result = (s: Signer) => outcome.bidders[s.address.toLowerCase()];
    expect(result(honest550)).toEqual({ end: "won", terms: bid(550) });
    expect(result(honest700)).toEqual({ end: "outbid", terms: bid(700) });
    expect(result(liar)).toEqual({ end: "disqualified", reason: "commitment mismatch" });
    expect(result(silent)).toEqual({ end: "disqualified", reason: "unrevealed" });
    expect(result(late)).toEqual({ end: "disqualified", reason: "late commit" });
    expect(Object.keys(outcome.bidders)).toHaveLength(5);

    // Every lender ends named, and was told why over the wire.
    await expect.poll(() => lenderEnds.size).toBe(3);
    const won = lenderEnds.get(honest550.address)!.outcome;
    expect(won).toMatchObject({ status: "won", agreement: outcome.agreement });
    if (won.status === "won") {
      expect(won.lenderSignature).toBe(outcome.lenderSignature);
      expect(won.borrowerSignature).toBe(outcome.borrowerSignature);
    }
    expect(lenderEnds.get(honest700.address)!.outcome).toEqual({ status: "lost", reason: "outbid" });
    expect(lenderEnds.get(liar.address)!.outcome).toEqual({
      status: "lost",
      reason: "disqualified: commitment mismatch",
    });
    await w.bus.flush();
    expect(silentInbox.map((m) => [m.kind, m.body])).toEqual([
      ["reject", { reason: "disqualified: unrevealed", code: "unrevealed" }],
    ]);
    expect(lateHostBid).toBe(false);
    expect(lateInbox.map((m) => [m.kind, m.body])).toEqual([
      ["reject", { reason: "disqualified: late commit", code: "late-commit" }],
    ]);
    expect(openEnd?.outcome).toMatchObject({
      status: "failed",
      reason: `reject.received: ${SEALED_ONLY_REASON}`,
    });

    // The winner's hook saw its commit, its reveal, then the confirm with the fully signed agreement.
    expect(recorded.map((e) => e.message.kind)).toEqual(["commit", "reveal", "confirm"]);
    expect(recorded[2]).toMatchObject({
      signed: {
        agreement: outcome.agreement,
        lenderSignature: outcome.lenderSignature,
        borrowerSignature: outcome.borrowerSignature,
      },
    });
    // Nothing was refused on the wire.
    expect(w.log.lines.filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
  });

  it("ends with no deal when no reveal is valid; a lender host ignores open RFQs and strangers", async () => {
    const w = world(2);
    const [lender, stranger] = w.lenders as [Signer, Signer];
    const lenderEndpoint = w.endpointOf(lender, true);
    const ends: SealedBidLenderFinished[] = [];
    const lenderHost = createSealedBidLenderHost({
      endpoint: lenderEndpoint,
      signer: lender,
      domain: testDomain,
      options: { revealDelayMs: 20, commitMarginMs: 50, awardTimeoutMs: 500 },
      nowSec,
      log: w.log,
      onFinished: (f) => void ends.push(f),
    });
    const placed: boolean[] = [];
    lenderEndpoint.onRfq((m) => void placed.push(lenderHost.bid({ rfq: m, terms: bid(850) })));
    lenderEndpoint.onMessage((m) => void lenderHost.route(m));

    // An ordinary RFQ first: the sealed-bid lender does not bid on it.
    const borrowerEndpoint = w.endpointOf(w.borrower, false);
    await borrowerEndpoint.sendRfq(randomSessionId(), rfq);
    await w.bus.flush();
    expect(placed).toEqual([false]);

    const sessionId = randomSessionId();
    const finished = new Promise<SealedBidFinished>((resolve) => {
      const host = createSealedBidAuctionHost({
        endpoint: borrowerEndpoint,
        signer: w.borrower,
        domain: testDomain,
        options: { commitMs: 150, revealMs: 300 },
        nowSec,
        log: w.log,
        onFinished: resolve,
      });
      borrowerEndpoint.onMessage((m) => void host.route(m));
      host.open({ sessionId, rfq, score: (t) => -t.rateBps, acceptable: (t) => t.rateBps <= 800 });
    });
    // A stranger's reject in the lender's session does not end its bid: only the borrower's counts.
    await expect.poll(() => lenderHost.size).toBe(1);
    const strangerEndpoint = w.endpointOf(stranger, false);
    await strangerEndpoint.send(lender.address, sessionId, "reject", { reason: "withdraw, please" });
    await w.bus.flush();
    expect(lenderHost.size).toBe(1);
    const { outcome } = await finished;
    expect(placed).toEqual([false, true]);
    expect(outcome).toMatchObject({ status: "no-deal", reason: "no valid bid" });
    expect(outcome.bidders[lender.address.toLowerCase()]).toEqual({
      end: "disqualified",
      reason: "unacceptable terms",
    });
    await expect.poll(() => ends.length).toBe(1);
    expect(ends[0]!.outcome).toEqual({ status: "lost", reason: "disqualified: unacceptable terms" });
    await strangerEndpoint.close();
  });

  it("an open auction host and a session host drop commit and reveal instead of crashing", () => {
    const log = createMemoryLogger("warn");
    const borrower = newSigner();
    const lender = newSigner();
    const endpoint = {
      address: borrower.address,
      sendRfq: async () => ({}),
      send: async () => ({}),
    } as unknown as Endpoint;
    const auctions = createRfqAuctionHost({
      endpoint,
      signer: borrower,
      domain: testDomain,
      nowSec,
      log,
      onFinished: () => {},
    });
    const sessionId = randomSessionId();
    auctions.open({
      sessionId,
      rfq,
      strategyFor: () => linearBorrower(bid(0)),
      score: (t) => -t.rateBps,
    });
    const envelope = {
      v: 0,
      sessionId,
      seq: 1,
      from: lender.address,
      to: borrower.address,
      expiry: 0,
    } as const;
    const commit = { ...envelope, kind: "commit", body: { commitment: sessionId } } as SessionMessage;
    const reveal = {
      ...envelope,
      kind: "reveal",
      body: { terms: bid(500), salt: sessionId },
    } as SessionMessage;
    for (const m of [commit, reveal]) {
      expect(toSessionEvent(m)).toEqual({ type: "ignored", kind: m.kind });
      expect(auctions.route(m)).toBe(true);
    }
    expect(auctions.size).toBe(1);
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
    auctions.stop();

    const sessions = createSessionHost({
      endpoint,
      signer: borrower,
      domain: testDomain,
      nowSec,
      log,
      onFinished: () => {},
    });
    sessions.open({
      side: "borrower",
      sessionId,
      peer: lender.address,
      rfq,
      strategy: linearBorrower(bid(0)),
    });
    expect(sessions.route(commit)).toBe(false);
    expect(sessions.size).toBe(1);
    sessions.stop();
  });
});
