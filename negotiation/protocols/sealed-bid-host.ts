/**
 * Runs sealed-bid RFQs (sealed-bid.ts) over an Endpoint, as rfq-auction-host does for open
 * auctions. The borrower's host broadcasts the sealed RFQ, routes the `commit`, `reveal`,
 * `confirm` and `reject` messages of its session id to the auction (tagged with their sender),
 * sends what the auction emits and reports how it ended. The lender's host runs one
 * sealedBidLenderMachine per sealed RFQ it bids on: commit now, reveal after the commit deadline,
 * countersign a matching award.
 *
 * Messages of one auction or bid go out one at a time, in the order the machine emitted them, each
 * after the `beforeSend` hook resolved (a rejected hook drops that message, logged).
 */
import type { Address, Hex } from "viem";
import { type Actor, createActor } from "xstate";
import type { Logger } from "../../core/log.ts";
import type { Endpoint } from "../endpoint.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import type { Terms } from "../strategies/strategy.ts";
import { actorClock } from "../timer-clock.ts";
import type { CommitBody, RevealBody, RfqBody, RfqMessage, SessionMessage } from "../wire/schemas.ts";
import { createAgreementPort } from "./agreement-port.ts";
import { type OutboundEvent, type OutboundMessage, rejectMessage } from "./alternating-offers.ts";
import {
  type SealedBidLenderOutcome,
  type SealedBidOutbound,
  type SealedBidOutcome,
  sealedBidAuctionMachine,
  sealedBidLenderMachine,
} from "./sealed-bid.ts";
import { type SealedAuction, sealBid, sealedAuctionOf } from "./sealed-bid-messages.ts";
import { type HostParameters, sendSessionMessage } from "./session-host.ts";

/** What a sealed-bid host hands to `beforeSend`: a session message, and with a confirm the fully
 *  signed agreement (as OutboundEvent), or a lender's commit or reveal. */
export type SealedBidSendEvent =
  | OutboundEvent
  | {
      type: "outbound";
      message: { kind: "commit"; body: CommitBody } | { kind: "reveal"; body: RevealBody };
    };

/** The answer to an `offer` or `accept` in a sealed auction's session. */
export const SEALED_ONLY_REASON = "sealed-bid auction: answer with commit and reveal";

type Sendable = SealedBidSendEvent["message"] | { kind: "rfq"; body: RfqBody };

/** Sends one machine's messages in order, session messages each after `beforeSend`. */
function createOrderedSender<E extends SealedBidSendEvent>(p: {
  endpoint: Endpoint;
  log: Logger;
  beforeSend: ((to: Address, sessionId: Hex, event: E) => Promise<void>) | undefined;
}) {
  let chain: Promise<void> = Promise.resolve();
  const sendOne = async (to: Address, sessionId: Hex, m: Sendable, ev: E | undefined) => {
    if (m.kind === "rfq") {
      await p.endpoint.sendRfq(sessionId, m.body);
      return;
    }
    if (ev) await p.beforeSend?.(to, sessionId, ev);
    if (m.kind === "commit") await p.endpoint.send(to, sessionId, "commit", m.body);
    else if (m.kind === "reveal") await p.endpoint.send(to, sessionId, "reveal", m.body);
    else await sendSessionMessage(p.endpoint, to, sessionId, m);
  };
  return (to: Address, sessionId: Hex, m: Sendable, ev?: E) => {
    chain = chain
      .then(() => sendOne(to, sessionId, m, ev))
      .catch((err: unknown) => p.log.warn("send failed", { sessionId, kind: m.kind, error: String(err) }));
  };
}

// ─── Borrower ────────────────────────────────────────────────────────────────────────────────

export type SealedBidOptions = {
  /** How long lenders may commit after the RFQ goes out, ms. */
  commitMs: number;
  /** How long they may reveal after the commit deadline, ms. */
  revealMs: number;
  /** How long the winner has to countersign, ms. */
  confirmTimeoutMs: number;
  /** How long an agreement we build stays settleable (its deadline: now + this), s. */
  settlementWindowSec: number;
  /** The latest deadline we countersign, s from now. */
  maxSettlementWindowSec: number;
  /** Most commitments taken; later ones are refused ("auction full"). */
  maxBidders?: number;
};

/** docs/PROTOCOL.md §9, under these names. */
export const defaultSealedBidOptions: SealedBidOptions = {
  commitMs: PROTOCOL_PARAMETERS.commitMs,
  revealMs: PROTOCOL_PARAMETERS.revealMs,
  confirmTimeoutMs: PROTOCOL_PARAMETERS.confirmTimeoutMs,
  settlementWindowSec: PROTOCOL_PARAMETERS.settlementWindowSec,
  maxSettlementWindowSec: PROTOCOL_PARAMETERS.maxSettlementWindowSec,
};

export type OpenSealedBidParameters = {
  sessionId: Hex;
  /** The RFQ; its `auction` field is set by the host from the options. */
  rfq: RfqBody;
  /** The borrower's utility of terms: the best valid reveal wins. */
  score: (terms: Terms) => number;
  /** The borrower's reservation: reveals it would not take are disqualified. */
  acceptable: (terms: Terms) => boolean;
};

export type SealedBidFinished = { sessionId: Hex; outcome: SealedBidOutcome };

export type CreateSealedBidAuctionHostParameters = Omit<
  HostParameters<SealedBidOptions, OutboundEvent, SealedBidFinished>,
  "onSent"
> & {
  /** Milliseconds clock of the deadlines (the clock timers run on). Default Date.now. */
  now?: () => number;
  /** Every message the auction sends, the RFQ broadcast included. */
  onSent?: (to: Address, sessionId: Hex, message: SealedBidOutbound["message"]) => void;
};

export interface SealedBidAuctionHost {
  /** Opens the auction and broadcasts its RFQ; returns the deadlines it announced. */
  open(p: OpenSealedBidParameters): SealedAuction;
  /** Hands an inbound message to the auction of its session id; false if none is open. */
  route(msg: SessionMessage): boolean;
  readonly size: number;
  stop(): void;
}

export function createSealedBidAuctionHost(p: CreateSealedBidAuctionHostParameters): SealedBidAuctionHost {
  const opts: SealedBidOptions = { ...defaultSealedBidOptions, ...p.options };
  const now = p.now ?? (() => (p.clock ? p.clock.now() : Date.now()));
  type Running = {
    actor: Actor<typeof sealedBidAuctionMachine>;
    send: ReturnType<typeof createOrderedSender<OutboundEvent>>;
  };
  const auctions = new Map<string, Running>();

  return {
    open(e) {
      const key = e.sessionId.toLowerCase();
      const running = auctions.get(key);
      if (running) {
        const { commitBy, revealBy } = running.actor.getSnapshot().context;
        return { mode: "sealed", commitBy, revealBy };
      }
      const commitBy = now() + opts.commitMs;
      const revealBy = commitBy + opts.revealMs;
      const { auction: _, ...rfq } = e.rfq;
      const actor = createActor(sealedBidAuctionMachine, {
        input: {
          sessionId: e.sessionId,
          rfq,
          commitBy,
          revealBy,
          portFor: (lender) =>
            createAgreementPort({
              ...(p.nonces ? { nonces: p.nonces } : {}),
              domain: p.domain,
              signer: p.signer,
              sessionId: e.sessionId,
              lender,
              borrower: p.signer.address,
              principalToken: e.rfq.principalToken,
              settlementWindowSec: opts.settlementWindowSec,
              maxSettlementWindowSec: opts.maxSettlementWindowSec,
              nowSec: p.nowSec,
            }),
          score: e.score,
          acceptable: e.acceptable,
          confirmTimeoutMs: opts.confirmTimeoutMs,
          ...(opts.maxBidders === undefined ? {} : { maxBidders: opts.maxBidders }),
          now,
        },
        ...actorClock(p.clock),
      });
      const send = createOrderedSender({ endpoint: p.endpoint, log: p.log, beforeSend: p.beforeSend });
      auctions.set(key, { actor, send });
      actor.on("outbound", (ev) => {
        p.onSent?.(ev.to, e.sessionId, ev.message);
        if (ev.message.kind === "rfq") return send(ev.to, e.sessionId, ev.message);
        const out = ev as Extract<typeof ev, { message: OutboundMessage }>;
        send(
          out.to,
          e.sessionId,
          out.message,
          out.signed
            ? { type: "outbound", message: out.message, signed: out.signed }
            : { type: "outbound", message: out.message },
        );
      });
      actor.subscribe({
        complete: () => {
          auctions.delete(key);
          // An auction stopped from outside (host shutdown) completes without an outcome.
          const snapshot = actor.getSnapshot();
          if (snapshot.status !== "done") return;
          p.onFinished({ sessionId: e.sessionId, outcome: snapshot.output });
        },
        error: (err) => {
          auctions.delete(key);
          p.log.error("sealed-bid auction crashed", { sessionId: e.sessionId, error: String(err) });
        },
      });
      actor.start();
      return { mode: "sealed", commitBy, revealBy };
    },
    route(msg) {
      const running = auctions.get(msg.sessionId.toLowerCase());
      if (!running) return false;
      const { actor, send } = running;
      const from = msg.from;
      switch (msg.kind) {
        case "commit":
          actor.send({ type: "commit.received", from, commitment: msg.body.commitment });
          break;
        case "reveal":
          actor.send({ type: "reveal.received", from, terms: msg.body.terms, salt: msg.body.salt });
          break;
        case "confirm":
          actor.send({ type: "confirm.received", from, ...msg.body });
          break;
        case "reject":
          actor.send({ type: "reject.received", from, reason: msg.body.reason, code: msg.body.code });
          break;
        case "offer":
        case "accept": {
          // A lender that took the sealed RFQ for an open one: end its session now rather than
          // let it wait out its deadline.
          const message = rejectMessage({ code: "sealed-only", reason: SEALED_ONLY_REASON });
          p.onSent?.(from, msg.sessionId, message);
          send(from, msg.sessionId, message, { type: "outbound", message });
          break;
        }
      }
      return true;
    },
    get size() {
      return auctions.size;
    },
    stop() {
      for (const a of auctions.values()) a.actor.stop();
      auctions.clear();
    },
  };
}

// ─── Lender ──────────────────────────────────────────────────────────────────────────────────

export type SealedBidLenderOptions = {
  /** Wait after the borrower's commitBy before revealing, ms (at most half the reveal window). A
   *  reveal that reaches the borrower before its commitBy is disqualified ("early reveal"), so
   *  this covers latency and clock skew. */
  revealDelayMs: number;
  /** Do not commit later than this before commitBy, ms: a commit that arrives after it is
   *  disqualified ("late commit"). */
  commitMarginMs: number;
  /** How long after revealBy to wait for the award, ms. */
  awardTimeoutMs: number;
  /** The settlement window of agreements we build, s (a lender builds none in a sealed auction,
   *  but its agreement port needs one). */
  settlementWindowSec: number;
  /** The latest deadline accepted in an award, s from now. */
  maxSettlementWindowSec: number;
};

/** docs/PROTOCOL.md §9, under these names. */
export const defaultSealedBidLenderOptions: SealedBidLenderOptions = {
  revealDelayMs: PROTOCOL_PARAMETERS.revealDelayMs,
  commitMarginMs: PROTOCOL_PARAMETERS.commitMarginMs,
  awardTimeoutMs: PROTOCOL_PARAMETERS.awardTimeoutMs,
  settlementWindowSec: PROTOCOL_PARAMETERS.settlementWindowSec,
  maxSettlementWindowSec: PROTOCOL_PARAMETERS.maxSettlementWindowSec,
};

export type PlaceSealedBidParameters = {
  /** The sealed RFQ (its session, sender and body). */
  rfq: Pick<RfqMessage, "sessionId" | "from" | "body">;
} & (
  | { terms: Terms }
  /** A bid sealed beforehand with sealBid (e.g. one a restarted agent recorded before committing). */
  | { sealed: { commit: CommitBody; reveal: RevealBody } }
);

export type SealedBidLenderFinished = { sessionId: Hex; borrower: Address; outcome: SealedBidLenderOutcome };

/** `beforeSend` also sees commits and reveals: record a commit's bid (its reveal) there to be able
 *  to reveal after a restart, and a confirm's fully signed agreement as for any session. */
export type CreateSealedBidLenderHostParameters = HostParameters<
  SealedBidLenderOptions,
  SealedBidSendEvent,
  SealedBidLenderFinished
> & {
  /** Milliseconds clock of the deadlines (the clock timers run on). Default Date.now. */
  now?: () => number;
};

export interface SealedBidLenderHost {
  /** Commits to a bid on a sealed RFQ (reveals it after commitBy); false, doing nothing, when the
   *  RFQ is not sealed, its commit deadline is (nearly) past, or we already bid in its session. */
  bid(p: PlaceSealedBidParameters): boolean;
  /** Hands the borrower's `accept` or `reject` to the bid of its session; false if none. */
  route(msg: SessionMessage): boolean;
  readonly size: number;
  stop(): void;
}

export function createSealedBidLenderHost(p: CreateSealedBidLenderHostParameters): SealedBidLenderHost {
  const opts: SealedBidLenderOptions = { ...defaultSealedBidLenderOptions, ...p.options };
  const now = p.now ?? (() => (p.clock ? p.clock.now() : Date.now()));
  const bids = new Map<string, { actor: Actor<typeof sealedBidLenderMachine>; borrower: Address }>();

  return {
    bid(e) {
      const { rfq } = e;
      const auction = sealedAuctionOf(rfq.body);
      const key = rfq.sessionId.toLowerCase();
      if (!auction || bids.has(key) || now() > auction.commitBy - opts.commitMarginMs) return false;
      const me = p.signer.address;
      const sealed =
        "sealed" in e ? e.sealed : sealBid({ sessionId: rfq.sessionId, lender: me, terms: e.terms });
      const revealDelay = Math.min(opts.revealDelayMs, (auction.revealBy - auction.commitBy) / 2);
      const send = createOrderedSender({ endpoint: p.endpoint, log: p.log, beforeSend: p.beforeSend });
      const actor = createActor(sealedBidLenderMachine, {
        input: {
          sessionId: rfq.sessionId,
          borrower: rfq.from,
          ...sealed,
          // The machine reveals when its commitBy passes: ours, a little after the borrower's.
          commitBy: auction.commitBy + revealDelay,
          revealBy: auction.revealBy,
          awardTimeoutMs: opts.awardTimeoutMs,
          port: createAgreementPort({
            ...(p.nonces ? { nonces: p.nonces } : {}),
            domain: p.domain,
            signer: p.signer,
            sessionId: rfq.sessionId,
            lender: me,
            borrower: rfq.from,
            principalToken: rfq.body.principalToken,
            settlementWindowSec: opts.settlementWindowSec,
            maxSettlementWindowSec: opts.maxSettlementWindowSec,
            nowSec: p.nowSec,
          }),
          now,
        },
        ...actorClock(p.clock),
      });
      bids.set(key, { actor, borrower: rfq.from });
      actor.on("outbound", (ev) => {
        const { type, message, signed } = ev;
        p.onSent?.(rfq.from, rfq.sessionId, message);
        const event = (signed ? { type, message, signed } : { type, message }) as SealedBidSendEvent;
        send(rfq.from, rfq.sessionId, message, event);
      });
      actor.subscribe({
        complete: () => {
          bids.delete(key);
          const snapshot = actor.getSnapshot();
          if (snapshot.status !== "done") return;
          p.onFinished({ sessionId: rfq.sessionId, borrower: rfq.from, outcome: snapshot.output });
        },
        error: (err) => {
          bids.delete(key);
          p.log.error("sealed bid crashed", { sessionId: rfq.sessionId, error: String(err) });
        },
      });
      actor.start();
      return true;
    },
    route(msg) {
      const bid = bids.get(msg.sessionId.toLowerCase());
      // Only the borrower speaks for its auction: nobody else may end our bid.
      if (!bid || bid.borrower.toLowerCase() !== msg.from.toLowerCase()) return false;
      if (msg.kind === "accept") bid.actor.send({ type: "accept.received", ...msg.body });
      else if (msg.kind === "reject") bid.actor.send({ type: "reject.received", reason: msg.body.reason });
      return true;
    },
    get size() {
      return bids.size;
    },
    stop() {
      for (const b of bids.values()) b.actor.stop();
      bids.clear();
    },
  };
}
