/**
 * The agent's two negotiation hosts, wired to its journals and reports: the RFQ auctions it runs as
 * borrower (negotiation/protocols/rfq-auction-host.ts) and the bilateral sessions it lends in
 * (session-host.ts). Each journals its own signature before it leaves and records a fully signed
 * agreement before the journal entry goes, so after a crash one of the two records always exists.
 */
import { zeroAddress } from "viem";
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import type { RfqAuctionOutcome } from "../negotiation/protocols/rfq-auction.ts";
import { createRfqAuctionHost, type RfqAuctionHost } from "../negotiation/protocols/rfq-auction-host.ts";
import { createSessionHost, type SessionHost } from "../negotiation/protocols/session-host.ts";
import { type AgentWiring, hostBase, reportAuctionSent } from "./agent-wiring.ts";

/** An auction's outcome as the borrower's session report gives it. */
export function auctionOutcomeAsSession(outcome: RfqAuctionOutcome): SessionOutcome {
  if (outcome.status === "no-deal") return { status: "failed", reason: outcome.reason, rounds: 0 };
  if (outcome.status === "agreed") {
    const { agreement, lenderSignature, borrowerSignature, rounds } = outcome;
    return { status: "agreed", agreement, lenderSignature, borrowerSignature, rounds };
  }
  const { agreement, mySignature, rounds } = outcome;
  return { status: "unconfirmed", agreement, mySignature, rounds };
}

export function createAgentAuctions(w: AgentWiring): RfqAuctionHost {
  const { p, report, auctionJournal } = w;
  return createRfqAuctionHost({
    ...hostBase(w),
    options: p.auction ?? {},
    onSent: reportAuctionSent(p.name, report),
    // Our signature (accept or confirm) is journaled before it leaves: a restarted agent then
    // knows the lender it signed for and signs for no other.
    beforeSend: async (to, sessionId, ev) => {
      const m = ev.message;
      const signed =
        m.kind === "accept"
          ? { agreement: m.body.agreement, mySignature: m.body.signature }
          : m.kind === "confirm" && ev.signed
            ? {
                agreement: ev.signed.agreement,
                mySignature: ev.signed.borrowerSignature,
                theirSignature: ev.signed.lenderSignature,
              }
            : undefined;
      // Write-ahead: the auction's state as of this message (a lender that joined, our offer)
      // lands before the message leaves, so a process killed right after sending resumes from
      // it. The progress of the transition that sent it is reported once that transition is
      // over, which is before our first await resumes.
      await Promise.resolve();
      await Promise.all([
        w.records.beforeConfirm(to, sessionId, ev),
        signed && auctionJournal?.signed(sessionId, to, signed),
        auctionJournal?.landed(sessionId),
      ]);
    },
    ...(auctionJournal
      ? {
          onProgress: (entry) => auctionJournal.progress(entry),
          // The RFQ too: the auction is on disk before any lender can see it, so a restart finds
          // it and never opens a second auction beside it.
          beforeBroadcast: (entry) => auctionJournal.broadcasting(entry),
        }
      : {}),
    onFinished: ({ sessionId, outcome }) => {
      const peer = outcome.status === "no-deal" ? zeroAddress : outcome.lender;
      if (p.durable && outcome.status === "agreed") {
        // As for sessions, the auction's record goes only once the agreement's is written; if
        // that fails, it stays, and a restart finds the auction agreed.
        const { agreement, lenderSignature, borrowerSignature } = outcome;
        w.records.record("borrower", { agreement, lenderSignature, borrowerSignature }).then(
          () => auctionJournal?.finished(sessionId),
          (err: unknown) => w.log.error("recording agreement failed", { error: String(err) }),
        );
      } else auctionJournal?.finished(sessionId);
      report({
        type: "session",
        agent: p.name,
        side: "borrower",
        sessionId,
        peer,
        outcome: auctionOutcomeAsSession(outcome),
      });
      w.send({ type: "auction.finished", sessionId, outcome });
    },
  });
}

export function createAgentSessions(w: AgentWiring): SessionHost {
  const { p, report, journal } = w;
  return createSessionHost({
    ...hostBase(w),
    options: p.session ?? {},
    onSent: (to, sessionId, m) => {
      journal?.sent(to, sessionId, m);
      report({ type: "sent", agent: p.name, to, kind: m.kind, sessionId, body: m.body });
    },
    // Write-ahead, as for auctions: the journal entry of this message (written from onSent,
    // which runs first) lands before the message leaves.
    beforeSend: async (to, sessionId, ev) => {
      await Promise.all([w.records.beforeConfirm(to, sessionId, ev), journal?.landed(sessionId, to)]);
    },
    onFinished: (f) => {
      if (p.durable && f.outcome.status === "agreed") {
        // The accepter records here (the confirmer already did, in beforeSend); the journal entry
        // goes only after, so at every moment one of the two records exists.
        const { agreement, lenderSignature, borrowerSignature } = f.outcome;
        const recorded = w.records
          .record(f.side, { agreement, lenderSignature, borrowerSignature })
          .catch((err: unknown) => w.log.error("recording agreement failed", { error: String(err) }));
        void recorded.then(() => journal?.finished(f.sessionId, f.peer));
      } else journal?.finished(f.sessionId, f.peer);
      report({ type: "session", agent: p.name, ...f });
      w.send({ type: "session.finished", ...f });
    },
  });
}
