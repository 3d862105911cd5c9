/**
 * Runs borrower-side RFQ auctions (rfq-auction.ts) over an Endpoint, as session-host does for
 * bilateral sessions: opens an auction per RFQ, broadcasts the RFQ and sends what the auction
 * emits, routes inbound session messages of that session id to it (tagged with their sender),
 * and reports how it ended. Lenders need nothing new: they answer with ordinary sessions.
 * A durable host journals each auction's progress (`onProgress`) and reopens it after a restart
 * (`open` with `resume`). Its RFQ is write-ahead like every other message: `beforeBroadcast`
 * records the auction before the RFQ leaves, and `rfq.sent` tells the auction (so the journal)
 * once it has. A restarted agent whose journal has the record but not `rfqSent` cannot tell
 * whether any lender saw the RFQ; it opens the auction afresh in the same session (`open` without
 * `resume`), which sends the RFQ again: at least once, never in another session.
 * The auction's admission window and deadline start at `rfq.sent`, so the time the record takes to
 * land is not taken from the lenders; if the RFQ cannot be recorded or published, the auction is
 * aborted, and if `rfq.sent` never comes it gives up `deadlineMs` after it opened (rfq-auction.ts).
 */
import { type Address, type Hex, zeroAddress } from "viem";
import { type Actor, createActor, type SnapshotFrom } from "xstate";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import type { Strategy, Terms } from "../strategies/strategy.ts";
import { actorClock } from "../timer-clock.ts";
import type { RfqBody, SessionMessage } from "../wire/schemas.ts";
import { createAgreementPort } from "./agreement-port.ts";
import { type OutboundEvent, type Refusal, rejectMessage } from "./alternating-offers.ts";
import { createEndedSessions } from "./ended-sessions.ts";
import {
  type AuctionOutbound,
  auctionProgress,
  type RfqAuctionOutcome,
  type RfqAuctionProgress,
  rfqAuctionMachine,
} from "./rfq-auction.ts";
import { type HostParameters, sendSessionMessage, toSessionEvent } from "./session-host.ts";

export type AuctionOptions = {
  /** Offers each side may make, per lender. */
  maxRounds: number;
  /** Wall time of the whole auction from the RFQ's publishing, ms. */
  deadlineMs: number;
  /** How long lenders may join after the RFQ is published, ms. */
  admissionMs: number;
  confirmTimeoutMs: number;
  /** How long an agreement we build stays settleable (its deadline: now + this), s. */
  settlementWindowSec: number;
  /** The latest deadline we countersign, s from now. */
  maxSettlementWindowSec: number;
  /** How long an ended auction is remembered, to answer a late offer in it, ms (0: never). */
  endedSessionMemoryMs: number;
  maxLenders?: number;
};

/** docs/PROTOCOL.md §9: `deadlineMs` is `auctionDeadlineMs` there, the rest under these names. */
export const defaultAuctionOptions: AuctionOptions = {
  maxRounds: PROTOCOL_PARAMETERS.maxRounds,
  deadlineMs: PROTOCOL_PARAMETERS.auctionDeadlineMs,
  admissionMs: PROTOCOL_PARAMETERS.admissionMs,
  confirmTimeoutMs: PROTOCOL_PARAMETERS.confirmTimeoutMs,
  settlementWindowSec: PROTOCOL_PARAMETERS.settlementWindowSec,
  maxSettlementWindowSec: PROTOCOL_PARAMETERS.maxSettlementWindowSec,
  endedSessionMemoryMs: PROTOCOL_PARAMETERS.endedSessionMemoryMs,
};

export type OpenAuctionParameters = {
  sessionId: Hex;
  rfq: RfqBody;
  /** A fresh borrower strategy per lender. */
  strategyFor: (lender: Address) => Strategy;
  /** The borrower's utility of terms (ranks lenders). */
  score: (terms: Terms) => number;
  /** This auction's limits, over the host's (a resumed auction keeps the ones it started with). */
  options?: Partial<AuctionOptions>;
  /** Reopens an auction a restarted agent had running, from its journal (see RfqAuctionProgress). */
  resume?: RfqAuctionProgress;
};

export type AuctionFinished = { sessionId: Hex; outcome: RfqAuctionOutcome };

/** A running auction's state as a durable host journals it. */
export type AuctionJournalEntry = {
  sessionId: Hex;
  rfq: RfqBody;
  /** The limits it runs with. */
  deadlineMs: number;
  admissionMs: number;
  progress: RfqAuctionProgress;
};

export type CreateRfqAuctionHostParameters = Omit<
  HostParameters<AuctionOptions, OutboundEvent, AuctionFinished>,
  "onSent"
> & {
  /** Milliseconds clock of the auction's deadlines. Default Date.now. */
  now?: () => number;
  /** Every message the auction sends, the RFQ broadcast included. */
  onSent?: (to: Address, sessionId: Hex, message: AuctionOutbound["message"]) => void;
  /** Called with the auction's state as of its RFQ broadcast; the RFQ leaves once it resolves. A
   *  durable host records the auction here (write-ahead). The auction's clocks start only once the
   *  RFQ has left, so a slow write costs the lenders no time. If it rejects, the RFQ is not sent
   *  and the auction is aborted (it ends "no offers"); if it never settles, the auction ends
   *  "rfq not sent" `deadlineMs` after it opened. */
  beforeBroadcast?: (entry: AuctionJournalEntry) => Promise<void>;
  /** Each change of a running auction's state, for a journal. A signature the auction is about to
   *  send is in it only after `beforeSend` for that message was called: a journal that must hold
   *  it first records it there. */
  onProgress?: (entry: AuctionJournalEntry) => void;
};

export interface RfqAuctionHost {
  open(p: OpenAuctionParameters): void;
  /** Hands an inbound session message to the auction of its session id; false if none is open.
   *  An `offer` or `accept` in an auction that ended lately is answered with `reject` instead (true):
   *  "admission-closed" for a lender's first offer, "session-ended" for a lender it had. */
  route(msg: SessionMessage): boolean;
  readonly size: number;
  stop(): void;
}

export function createRfqAuctionHost(p: CreateRfqAuctionHostParameters): RfqAuctionHost {
  const opts: AuctionOptions = { ...defaultAuctionOptions, ...p.options };
  const now = p.now ?? (() => (p.clock ? p.clock.now() : Date.now()));
  const auctions = new Map<string, Actor<typeof rfqAuctionMachine>>();
  /** Auctions ended lately, with the lenders each admitted (lowercase). */
  const ended = createEndedSessions<ReadonlySet<string>>({
    memoryMs: opts.endedSessionMemoryMs,
    now,
  });

  /** A late `offer` or `accept` in an auction that has ended: refused, never ignored. */
  const answerEnded = (msg: SessionMessage, lenders: ReadonlySet<string>): boolean => {
    if (msg.kind !== "offer" && msg.kind !== "accept") return false;
    const refusal: Refusal =
      msg.kind === "offer" && !lenders.has(msg.from.toLowerCase())
        ? { code: "admission-closed", reason: "auction ended" }
        : { code: "session-ended", reason: "auction ended" };
    send(msg.sessionId, { to: msg.from, message: rejectMessage(refusal) });
    return true;
  };

  const send = (sessionId: Hex, out: Exclude<AuctionOutbound, { message: { kind: "rfq" } }>) => {
    p.onSent?.(out.to, sessionId, out.message);
    const sent = (async () => {
      const message = out.message;
      const ev: OutboundEvent =
        "signed" in out && out.signed
          ? { type: "outbound", message, signed: out.signed }
          : { type: "outbound", message };
      await p.beforeSend?.(out.to, sessionId, ev);
      await sendSessionMessage(p.endpoint, out.to, sessionId, message);
    })();
    sent.catch((err: unknown) =>
      p.log.warn("send failed", { sessionId, kind: out.message.kind, error: String(err) }),
    );
  };

  /** The RFQ: recorded first (beforeBroadcast), then published, then reported to the auction. */
  const broadcast = async (
    auction: Actor<typeof rfqAuctionMachine>,
    entry: AuctionJournalEntry,
  ): Promise<void> => {
    const { sessionId, rfq } = entry;
    p.onSent?.(zeroAddress, sessionId, { kind: "rfq", body: rfq });
    const running = () => auction.getSnapshot().status === "active";
    try {
      await p.beforeBroadcast?.(entry);
    } catch (err) {
      p.log.error("auction not journaled: its RFQ is not sent", { sessionId, error: String(err) });
      if (running()) auction.send({ type: "abort", reason: "rfq not journaled" });
      return;
    }
    // Stopped (host shutdown) or ended meanwhile: nobody would answer the lenders.
    if (!running()) return;
    try {
      await p.endpoint.sendRfq(sessionId, rfq);
    } catch (err) {
      p.log.warn("send failed", { sessionId, kind: "rfq", error: String(err) });
      // Its clocks would never start: nobody is coming.
      if (running()) auction.send({ type: "abort", reason: "rfq not sent" });
      return;
    }
    if (running()) auction.send({ type: "rfq.sent" });
  };

  return {
    open(e) {
      const key = e.sessionId.toLowerCase();
      if (auctions.has(key)) return;
      const me = p.signer.address;
      const o: AuctionOptions = { ...opts, ...e.options };
      const auction = createActor(rfqAuctionMachine, {
        input: {
          sessionId: e.sessionId,
          rfq: e.rfq,
          strategyFor: e.strategyFor,
          score: e.score,
          portFor: (lender) =>
            createAgreementPort({
              ...(p.nonces ? { nonces: p.nonces } : {}),
              domain: p.domain,
              signer: p.signer,
              sessionId: e.sessionId,
              lender,
              borrower: me,
              principalToken: e.rfq.principalToken,
              settlementWindowSec: o.settlementWindowSec,
              maxSettlementWindowSec: o.maxSettlementWindowSec,
              nowSec: p.nowSec,
            }),
          maxRounds: o.maxRounds,
          deadlineMs: o.deadlineMs,
          admissionMs: o.admissionMs,
          confirmTimeoutMs: o.confirmTimeoutMs,
          ...(o.maxLenders === undefined ? {} : { maxLenders: o.maxLenders }),
          now,
          ...(e.resume ? { resume: e.resume } : {}),
        },
        ...actorClock(p.clock),
      });
      auctions.set(key, auction);
      const entryOf = (snapshot: SnapshotFrom<typeof rfqAuctionMachine>): AuctionJournalEntry => ({
        sessionId: e.sessionId,
        rfq: e.rfq,
        deadlineMs: o.deadlineMs,
        admissionMs: o.admissionMs,
        progress: auctionProgress(snapshot),
      });
      auction.on("outbound", (ev) => {
        const { type: _, ...out } = ev;
        // Emitted events are delivered once the transition is over: the snapshot is its state.
        if (out.message.kind === "rfq") void broadcast(auction, entryOf(auction.getSnapshot()));
        else send(e.sessionId, out as Exclude<AuctionOutbound, { message: { kind: "rfq" } }>);
      });
      auction.subscribe({
        next: (snapshot) => {
          if (snapshot.status !== "active" || !p.onProgress) return;
          p.onProgress(entryOf(snapshot));
        },
        complete: () => {
          auctions.delete(key);
          // An auction stopped from outside (host shutdown) completes without an outcome.
          const snapshot = auction.getSnapshot();
          if (snapshot.status !== "done") return;
          ended.remember(key, new Set(Object.keys(snapshot.context.lenders)));
          p.onFinished({ sessionId: e.sessionId, outcome: snapshot.output });
        },
        error: (err) => {
          auctions.delete(key);
          p.log.error("auction crashed", { sessionId: e.sessionId, error: String(err) });
        },
      });
      auction.start();
    },
    route(msg) {
      const auction = auctions.get(msg.sessionId.toLowerCase());
      if (!auction) {
        const gone = ended.recall(msg.sessionId.toLowerCase());
        return gone !== undefined && answerEnded(msg, gone.value ?? new Set());
      }
      if (msg.kind === "offer" && msg.body.resent) {
        // An offer sent again for our repeated RFQ (docs/PROTOCOL.md §7.1): a newcomer's first
        // offer if the auction does not know the lender; one it has already, otherwise.
        const { context } = auction.getSnapshot();
        const key = msg.from.toLowerCase();
        if (context.lenders[key] !== undefined || context.late[key] !== undefined) {
          p.log.debug("resent offer from a lender already in the auction ignored", {
            sessionId: msg.sessionId,
            from: msg.from,
          });
          return true;
        }
      }
      auction.send({ ...toSessionEvent(msg), from: msg.from } as Parameters<typeof auction.send>[0]);
      return true;
    },
    get size() {
      return auctions.size;
    },
    stop() {
      for (const a of auctions.values()) a.stop();
      auctions.clear();
    },
  };
}
