/**
 * An agent's part in sealed-bid RFQs (docs/PROTOCOL.md §7.2), both roles, over its endpoint: as
 * lender it bids with the terms its policy chose (commit, then reveal; never an open offer), as
 * borrower it runs the sealed auction of an RFQ. Each end is handed back in the shape the agent
 * machine takes for an open auction's or a session's (`auction.finished`, `session.finished`).
 *
 * Durability: a borrower's award (the accept it signs) is journaled before it leaves, so a
 * restarted agent takes the signature back or services the loan like any unconfirmed accept; a
 * won bid's fully signed agreement is recorded before the lender's confirm leaves. A lender's bid
 * in flight is not journaled: a restart leaves it unrevealed, which the borrower disqualifies, and
 * nothing was signed.
 */

import { type Address, type Hex, zeroAddress } from "viem";
import type { ArbiterDomain } from "../core/agreement.ts";
import type { NonceAllocator } from "../core/agreement-nonce.ts";
import type { Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import type { Endpoint } from "../negotiation/endpoint.ts";
import type { OutboundEvent, SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import type { RfqAuctionOutcome } from "../negotiation/protocols/rfq-auction.ts";
import type { SealedBidOutcome } from "../negotiation/protocols/sealed-bid.ts";
import {
  createSealedBidAuctionHost,
  createSealedBidLenderHost,
  type SealedBidLenderOptions,
  type SealedBidOptions,
} from "../negotiation/protocols/sealed-bid-host.ts";
import type { Strategy, Terms } from "../negotiation/strategies/strategy.ts";
import type { TimerClock } from "../negotiation/timer-clock.ts";
import type { RfqBody, SessionMessage } from "../negotiation/wire/schemas.ts";
import type { Activity } from "./agent.ts";
import type { AgentEvent } from "./agent-machine.ts";
import { reportAuctionSent } from "./agent-wiring.ts";
import type { SessionJournal } from "./session-journal.ts";

type Signed = NonNullable<OutboundEvent["signed"]>;

export type CreateSealedBidsParameters = {
  name: string;
  endpoint: Endpoint;
  signer: Signer;
  domain: ArbiterDomain;
  options: Partial<SealedBidOptions & SealedBidLenderOptions>;
  nowSec: () => bigint;
  /** The clock of the auctions' timers and deadlines (default: the wall clock). */
  clock?: TimerClock;
  nonces?: NonceAllocator;
  log: Logger;
  report: (a: Activity) => void;
  /** The agent machine's events. */
  send: (e: AgentEvent) => void;
  /** A durable agent's session journal (the award's write-ahead record). */
  journal: SessionJournal | undefined;
  /** Records a fully signed agreement of ours (durable agents; resolves at once otherwise). */
  recordAgreement: (role: "lender" | "borrower", signed: Signed) => Promise<unknown>;
  durable: boolean;
};

export type SealedBids = {
  /** Runs a sealed auction for our RFQ (borrower). */
  openAuction(p: { sessionId: Hex; rfq: RfqBody; strategy: Strategy; score: (terms: Terms) => number }): void;
  /** Commits to `terms` on a sealed RFQ (lender); false, sending nothing, if the bid cannot be
   *  placed (its commit deadline is too near, or we bid in that session already). */
  placeBid(p: { sessionId: Hex; borrower: Address; rfq: RfqBody; terms: Terms }): boolean;
  /** Hands a message to the sealed auction or bid of its session; false if none. */
  route(msg: SessionMessage): boolean;
  stop(): void;
};

/** A sealed auction's end, as the machine takes an open auction's. */
export function asAuctionOutcome(o: SealedBidOutcome): RfqAuctionOutcome {
  const lenders: RfqAuctionOutcome["lenders"] = {};
  for (const [k, b] of Object.entries(o.bidders)) {
    const reason = "reason" in b ? b.reason : b.end;
    lenders[k] = {
      end: b.end === "won" ? "won" : b.end === "outbid" ? "outbid" : "failed",
      reason,
      rounds: 1,
    };
  }
  return o.status === "no-deal"
    ? { status: "no-deal", reason: o.reason, lenders }
    : { ...o, rounds: 1, lenders };
}

/** How an auction's end reads as the borrower's session outcome (for activity reports). */
function asSessionOutcome(o: RfqAuctionOutcome): SessionOutcome {
  if (o.status === "no-deal") return { status: "failed", reason: o.reason, rounds: 0 };
  if (o.status === "agreed")
    return {
      status: "agreed",
      agreement: o.agreement,
      lenderSignature: o.lenderSignature,
      borrowerSignature: o.borrowerSignature,
      rounds: o.rounds,
    };
  return { status: "unconfirmed", agreement: o.agreement, mySignature: o.mySignature, rounds: o.rounds };
}

export function createSealedBids(p: CreateSealedBidsParameters): SealedBids {
  /** The RFQ of each sealed auction we run (without its `auction` field), for the award's journal. */
  const rfqs = new Map<string, RfqBody>();
  const host = {
    endpoint: p.endpoint,
    signer: p.signer,
    domain: p.domain,
    options: p.options,
    nowSec: p.nowSec,
    ...(p.clock ? { clock: p.clock } : {}),
    ...(p.nonces ? { nonces: p.nonces } : {}),
    log: p.log,
  };

  const auctions = createSealedBidAuctionHost({
    ...host,
    onSent: reportAuctionSent(p.name, p.report),
    // Write-ahead: the award lands in the journal before it leaves.
    beforeSend: async (to, sessionId, ev) => {
      const rfq = rfqs.get(sessionId.toLowerCase());
      if (!p.journal || ev.message.kind !== "accept" || !rfq) return;
      p.journal.awarded({ sessionId, peer: to, rfq, accept: ev.message.body });
      await p.journal.landed(sessionId, to);
    },
    onFinished: ({ sessionId, outcome }) => {
      rfqs.delete(sessionId.toLowerCase());
      const peer = outcome.status === "no-deal" ? zeroAddress : outcome.lender;
      // The award's record goes once the agreement's is written (as for sessions).
      const finish = () => {
        if (peer !== zeroAddress) p.journal?.finished(sessionId, peer);
      };
      if (p.durable && outcome.status === "agreed") {
        const { agreement, lenderSignature, borrowerSignature } = outcome;
        p.recordAgreement("borrower", { agreement, lenderSignature, borrowerSignature }).then(
          finish,
          (err: unknown) => p.log.error("recording agreement failed", { error: String(err) }),
        );
      } else finish();
      const asAuction = asAuctionOutcome(outcome);
      const session = asSessionOutcome(asAuction);
      p.report({ type: "session", agent: p.name, side: "borrower", sessionId, peer, outcome: session });
      p.send({ type: "auction.finished", sessionId, outcome: asAuction });
    },
  });

  const bids = createSealedBidLenderHost({
    ...host,
    onSent: (to, sessionId, m) =>
      p.report({ type: "sent", agent: p.name, to, kind: m.kind, sessionId, body: m.body }),
    // A won bid's fully signed agreement is on disk before our confirm leaves.
    beforeSend: async (_to, _sessionId, ev) => {
      if (ev.message.kind === "confirm" && "signed" in ev && ev.signed && p.durable)
        await p.recordAgreement("lender", ev.signed);
    },
    onFinished: ({ sessionId, borrower, outcome }) => {
      const session: SessionOutcome =
        outcome.status === "won"
          ? {
              status: "agreed",
              agreement: outcome.agreement,
              lenderSignature: outcome.lenderSignature,
              borrowerSignature: outcome.borrowerSignature,
              rounds: 1,
            }
          : { status: "failed", reason: outcome.reason, rounds: 1 };
      p.report({
        type: "session",
        agent: p.name,
        side: "lender",
        sessionId,
        peer: borrower,
        outcome: session,
      });
      p.send({ type: "session.finished", side: "lender", sessionId, peer: borrower, outcome: session });
    },
  });

  return {
    openAuction(e) {
      const { auction: _, ...rfq } = e.rfq;
      rfqs.set(e.sessionId.toLowerCase(), rfq);
      auctions.open({
        sessionId: e.sessionId,
        rfq,
        score: e.score,
        // A bid is valid if the borrower would still take it at the very end of a negotiation.
        acceptable: (terms) =>
          e.strategy.accept(
            { side: "borrower", round: 1, maxRounds: 1, elapsed: 1, myLast: undefined, theirLast: terms },
            terms,
          ),
      });
    },
    placeBid: (e) =>
      bids.bid({ rfq: { sessionId: e.sessionId, from: e.borrower, body: e.rfq }, terms: e.terms }),
    route: (msg) => auctions.route(msg) || bids.route(msg),
    stop() {
      auctions.stop();
      bids.stop();
    },
  };
}
