/**
 * The auction over real endpoints on the in-process bus: signed envelopes, validation, replay
 * checks. The borrower runs an RfqAuctionHost; the lenders run unchanged session hosts.
 */
import { bytesToHex, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../core/log.ts";
import { createEndpoint } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { createInProcessBus } from "../transport/in-process.ts";
import { newSigner, testDomain } from "../wire/fixtures.ts";
import type { SessionMessage } from "../wire/schemas.ts";
import { linearBorrower, loanRfq as rfq, loanTemplate as template } from "./fixtures.ts";
import type { RfqAuctionProgress } from "./rfq-auction.ts";
import { type AuctionFinished, type AuctionJournalEntry, createRfqAuctionHost } from "./rfq-auction-host.ts";
import type { SessionFinished } from "./session-host.ts";
import { createSessionHost } from "./session-host.ts";

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("rfq auction host", () => {
  it("runs an auction over signed messages and closes with the cheapest lender", async () => {
    const bus = createInProcessBus();
    const log = createMemoryLogger("warn");
    const borrower = newSigner();
    const lenders = [newSigner(), newSigner(), newSigner()];
    const peers = createPeerRegistry(
      [borrower, ...lenders].map((s, i) => ({
        address: s.address,
        name: `agent-${i}`,
        protocol: "lending" as const,
      })),
    );
    const nowSec = () => BigInt(Math.floor(Date.now() / 1000));
    const endpointOf = (signer: typeof borrower, listen: boolean) =>
      createEndpoint({
        transport: bus.createTransport({ name: signer.address }),
        signer,
        domain: testDomain,
        peers,
        log,
        ...(listen ? { rfqTokens: "all" as const } : {}),
      });

    const lenderEnds: SessionFinished[] = [];
    lenders.forEach((signer, i) => {
      const endpoint = endpointOf(signer, true);
      const sessions = createSessionHost({
        endpoint,
        signer,
        domain: testDomain,
        options: { maxRounds: 4, deadlineMs: 3_000, confirmTimeoutMs: 1_000 },
        nowSec,
        log,
        onFinished: (f) => lenderEnds.push(f),
      });
      endpoint.onRfq((msg) =>
        sessions.open({
          side: "lender",
          sessionId: msg.sessionId,
          peer: msg.from,
          rfq: msg.body,
          strategy: createTimeDependentStrategy({
            side: "lender",
            openingRateBps: 900,
            reservationRateBps: [700, 450, 600][i]!,
            exponent: 1,
            template,
          }),
        }),
      );
      endpoint.onMessage((msg) => void sessions.route(msg));
    });

    const endpoint = endpointOf(borrower, false);
    const finished = new Promise<AuctionFinished>((resolve) => {
      const host = createRfqAuctionHost({
        endpoint,
        signer: borrower,
        domain: testDomain,
        options: { maxRounds: 4, deadlineMs: 3_000, admissionMs: 100, confirmTimeoutMs: 1_000 },
        nowSec,
        log,
        onFinished: resolve,
      });
      endpoint.onMessage((msg) => void host.route(msg));
      const sessionId: Hex = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
      host.open({
        sessionId,
        rfq,
        strategyFor: () => linearBorrower(template),
        score: (t) => -t.rateBps,
      });
    });

    const { outcome } = await finished;
    await bus.flush();
    expect(outcome.status).toBe("agreed");
    if (outcome.status !== "agreed") return;
    expect(outcome.lender).toBe(lenders[1]!.address);
    expect(outcome.agreement.borrower).toBe(borrower.address);
    // Every lender's own session ended; only the winner's agreed.
    await expect.poll(() => lenderEnds.length).toBe(3);
    const agreed = lenderEnds.filter((f) => f.outcome.status === "agreed");
    expect(agreed).toHaveLength(1);
    for (const f of lenderEnds.filter((x) => x.outcome.status === "failed")) {
      expect(f.outcome).toMatchObject({ reason: "reject.received: abort: closed with another lender" });
    }
    expect(outcome.lenders[lenders[0]!.address.toLowerCase()]?.end).toBe("outbid");
    expect(outcome.lenders[lenders[2]!.address.toLowerCase()]?.end).toBe("outbid");
    // Nothing was refused on the wire.
    expect(log.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  describe("write-ahead RFQ (a durable host's beforeBroadcast)", () => {
    /** A borrower host whose `beforeBroadcast` waits for the test, and a lender that counts RFQs
     *  and, if `answers`, answers each with an offer. With `publishFails` the RFQ's publish fails. */
    function setup(p: { admissionMs?: number; answers?: boolean; publishFails?: boolean } = {}) {
      const bus = createInProcessBus();
      const log = createMemoryLogger("warn");
      const borrower = newSigner();
      const lender = newSigner();
      const peers = createPeerRegistry(
        [borrower, lender].map((s, i) => ({
          address: s.address,
          name: `agent-${i}`,
          protocol: "lending" as const,
        })),
      );
      const endpointOf = (signer: typeof borrower, listen: boolean) =>
        createEndpoint({
          transport: bus.createTransport({ name: signer.address }),
          signer,
          domain: testDomain,
          peers,
          log,
          ...(listen ? { rfqTokens: "all" as const } : {}),
        });
      const rfqs: Hex[] = [];
      /** What the lender received in the session: the borrower's answers. */
      const toLender: SessionMessage[] = [];
      const lenderEndpoint = endpointOf(lender, true);
      lenderEndpoint.onRfq((msg) => {
        rfqs.push(msg.sessionId);
        if (p.answers) void lenderEndpoint.reply(msg, "offer", { terms: { ...template, rateBps: 900 } });
      });
      lenderEndpoint.onMessage((msg) => void toLender.push(msg));
      const borrowerEndpoint = endpointOf(borrower, false);
      if (p.publishFails) borrowerEndpoint.sendRfq = () => Promise.reject(new Error("connection closed"));
      const recording: AuctionJournalEntry[] = [];
      const journal: RfqAuctionProgress[] = [];
      const record = deferred<void>();
      const finished = deferred<AuctionFinished>();
      const host = createRfqAuctionHost({
        endpoint: borrowerEndpoint,
        signer: borrower,
        domain: testDomain,
        options: {
          maxRounds: 4,
          deadlineMs: 3_000,
          admissionMs: p.admissionMs ?? 100,
          confirmTimeoutMs: 1_000,
        },
        nowSec: () => BigInt(Math.floor(Date.now() / 1000)),
        log,
        beforeBroadcast: (entry) => {
          recording.push(entry);
          return record.promise;
        },
        onProgress: (e) => journal.push(e.progress),
        onFinished: finished.resolve,
      });
      borrowerEndpoint.onMessage((msg) => void host.route(msg));
      const sessionId: Hex = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
      host.open({
        sessionId,
        rfq,
        strategyFor: () => linearBorrower(template),
        score: (t) => -t.rateBps,
      });
      return {
        bus,
        log,
        host,
        lender,
        sessionId,
        rfqs,
        toLender,
        recording,
        journal,
        record,
        finished: finished.promise,
      };
    }

    it("publishes the RFQ only once the auction is recorded, then journals that it left", async () => {
      const t = setup();
      expect(t.recording).toHaveLength(1);
      expect(t.recording[0]).toMatchObject({
        sessionId: t.sessionId,
        rfq,
        deadlineMs: 3_000,
        admissionMs: 100,
        progress: { admissionClosed: false, rfqSent: false, lenders: [] },
      });
      await t.bus.flush();
      expect(t.rfqs).toEqual([]);
      t.record.resolve();
      await expect.poll(() => t.rfqs).toEqual([t.sessionId]);
      await expect.poll(() => t.journal.at(-1)?.rfqSent).toBe(true);
      t.host.stop();
    });

    it("a slow record (300 ms) does not eat the admission window (200 ms): the lender's offer is admitted", async () => {
      const t = setup({ admissionMs: 200, answers: true });
      await new Promise((r) => setTimeout(r, 300));
      const published = Date.now();
      t.record.resolve();
      await expect.poll(() => t.rfqs).toEqual([t.sessionId]);
      // The borrower counters the lender's offer: it joined the auction, it was not refused.
      await expect.poll(() => t.toLender.map((m) => m.kind)).toEqual(["offer"]);
      const progress = t.journal.at(-1)!;
      expect(progress).toMatchObject({ rfqSent: true, lenders: [{ lender: t.lender.address }] });
      // The journaled start is when the RFQ left, not when the auction opened: a restart keeps
      // the window and the deadline the lenders had.
      expect(t.recording[0]!.progress.startedAt).toBeLessThan(published);
      expect(progress.startedAt).toBeGreaterThanOrEqual(published);
      expect(t.log.lines.filter((l) => l.level === "warn")).toEqual([]);
      t.host.stop();
    });

    it("ends the auction at once when the RFQ cannot be published", async () => {
      const t = setup({ publishFails: true });
      const opened = Date.now();
      t.record.resolve();
      const { outcome } = await t.finished;
      expect(outcome).toMatchObject({ status: "no-deal", reason: "no offers" });
      // Not at the auction's deadline (3 s): nobody would have come.
      expect(Date.now() - opened).toBeLessThan(1_000);
      expect(t.log.lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual(["send failed"]);
    });

    it("keeps the RFQ home when the auction cannot be recorded, and ends the auction", async () => {
      const t = setup();
      t.record.reject(new Error("auction bucket unavailable"));
      const { outcome } = await t.finished;
      expect(outcome).toMatchObject({ status: "no-deal", reason: "no offers" });
      await t.bus.flush();
      expect(t.rfqs).toEqual([]);
      expect(t.log.lines.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([
        "auction not journaled: its RFQ is not sent",
      ]);
    });
  });

  it("a new host resumes an auction from the progress the old one reported, without a new RFQ", async () => {
    const bus = createInProcessBus();
    const log = createMemoryLogger("warn");
    const borrower = newSigner();
    const lenders = [newSigner(), newSigner()];
    const peers = createPeerRegistry(
      [borrower, ...lenders].map((s, i) => ({
        address: s.address,
        name: `agent-${i}`,
        protocol: "lending" as const,
      })),
    );
    const nowSec = () => BigInt(Math.floor(Date.now() / 1000));
    const endpointOf = (signer: typeof borrower, listen: boolean) =>
      createEndpoint({
        transport: bus.createTransport({ name: signer.address }),
        signer,
        domain: testDomain,
        peers,
        log,
        ...(listen ? { rfqTokens: "all" as const } : {}),
      });
    const lenderEnds: SessionFinished[] = [];
    let rfqs = 0;
    lenders.forEach((signer, i) => {
      const endpoint = endpointOf(signer, true);
      const sessions = createSessionHost({
        endpoint,
        signer,
        domain: testDomain,
        options: { maxRounds: 8, deadlineMs: 5_000, confirmTimeoutMs: 1_000 },
        nowSec,
        log,
        onFinished: (f) => lenderEnds.push(f),
      });
      endpoint.onRfq((msg) => {
        rfqs++;
        sessions.open({
          side: "lender",
          sessionId: msg.sessionId,
          peer: msg.from,
          rfq: msg.body,
          strategy: createTimeDependentStrategy({
            side: "lender",
            openingRateBps: 900,
            reservationRateBps: [450, 700][i]!,
            exponent: 1,
            template,
          }),
        });
      });
      endpoint.onMessage((msg) => void sessions.route(msg));
    });

    // The borrower's endpoint outlives its hosts (its seq numbers go on).
    const endpoint = endpointOf(borrower, false);
    const strategyFor = () => linearBorrower(template);
    const options = { maxRounds: 6, deadlineMs: 3_000, admissionMs: 50, confirmTimeoutMs: 1_000 };
    const sessionId: Hex = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    let journaled: RfqAuctionProgress | undefined;
    const countered = new Set<string>();
    const first = createRfqAuctionHost({
      endpoint,
      signer: borrower,
      domain: testDomain,
      options,
      nowSec,
      log,
      onProgress: (e) => {
        expect(e).toMatchObject({ sessionId, rfq, deadlineMs: 3_000, admissionMs: 50 });
        journaled = e.progress;
      },
      // The first host stops as soon as it has countered both lenders once.
      onSent: (to, _s, m) => {
        if (m.kind !== "offer") return;
        countered.add(to);
        if (countered.size === lenders.length) queueMicrotask(() => first.stop());
      },
      onFinished: () => {
        throw new Error("the first host must not finish");
      },
    });
    const offFirst = endpoint.onMessage((msg) => void first.route(msg));
    first.open({ sessionId, rfq, strategyFor, score: (t) => -t.rateBps });
    await expect.poll(() => first.size).toBe(0);
    offFirst();
    await bus.flush();
    expect(journaled?.lenders).toHaveLength(2);
    expect(journaled?.lenders.every((l) => l.round >= 1 && l.signed === undefined)).toBe(true);
    // Back after the admission window: it closes with the best lender while the other still bids.
    await new Promise((r) => setTimeout(r, Math.max(0, journaled!.startedAt + 60 - Date.now())));

    const finished = new Promise<AuctionFinished>((resolve) => {
      const second = createRfqAuctionHost({
        endpoint,
        signer: borrower,
        domain: testDomain,
        options,
        nowSec,
        log,
        onFinished: resolve,
      });
      endpoint.onMessage((msg) => void second.route(msg));
      second.open({ sessionId, rfq, strategyFor, score: (t) => -t.rateBps, resume: journaled! });
    });
    const { outcome } = await finished;
    expect(rfqs).toBe(lenders.length);
    expect(outcome).toMatchObject({ status: "agreed", lender: lenders[0]!.address });
    await expect.poll(() => lenderEnds.length).toBe(2);
    expect(lenderEnds.find((f) => f.outcome.status === "agreed")?.peer).toBe(borrower.address);
    expect(outcome.lenders[lenders[1]!.address.toLowerCase()]?.end).toBe("outbid");
    expect(log.lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});
