/**
 * What the agent does for each effect its lifecycle machine emits (agent-machine.ts): open an
 * auction (open or sealed) or a lending session, place a sealed bid, close a loan's durable record
 * (and tell the policy how it ended), send a margin call, report. The machine decides; this carries it out, so every durable write is
 * triggered by a typed effect, never by matching a report.
 */
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import type { RfqAuctionHost } from "../negotiation/protocols/rfq-auction-host.ts";
import type { SessionHost } from "../negotiation/protocols/session-host.ts";
import type { AgentEffect } from "./agent-machine.ts";
import type { AgentWiring } from "./agent-wiring.ts";
import { tellLoanEnded } from "./loans/lender-outcome.ts";
import type { SealedBids } from "./sealed-bids.ts";

export function createEffectDispatcher(d: {
  w: AgentWiring;
  auctions: RfqAuctionHost;
  sealed: SealedBids;
  sessions: SessionHost;
  /** A lending session's deadline, for its journal entry. */
  sessionDeadlineMs: number;
}): (effect: AgentEffect) => void {
  const { w, auctions, sealed, sessions } = d;
  const { p, report } = w;
  const score = (terms: Parameters<typeof p.policy.scoreOffer>[0]) => p.policy.scoreOffer(terms);
  return (effect) => {
    switch (effect.type) {
      case "effect.openAuction":
        if (p.auctionMode === "sealed")
          sealed.openAuction({
            sessionId: effect.sessionId,
            rfq: effect.rfq,
            strategy: effect.strategyFor(),
            score,
          });
        else
          auctions.open({
            sessionId: effect.sessionId,
            rfq: effect.rfq,
            strategyFor: effect.strategyFor,
            score,
          });
        return;
      case "effect.placeSealedBid": {
        const placed = sealed.placeBid({
          sessionId: effect.sessionId,
          borrower: effect.peer,
          rfq: effect.rfq,
          terms: effect.terms,
        });
        // Too close to its commit deadline (or a bid of ours is in it already): nothing was sent.
        if (!placed) {
          const outcome: SessionOutcome = { status: "failed", reason: "sealed bid not placed", rounds: 0 };
          w.send({
            type: "session.finished",
            side: "lender",
            sessionId: effect.sessionId,
            peer: effect.peer,
            outcome,
          });
        }
        return;
      }
      case "effect.openSession":
        // The record first: opening sends our first offer, whose journal entry updates it.
        w.journal?.opened(effect, d.sessionDeadlineMs);
        sessions.open(effect);
        return;
      case "effect.loanClosed":
        void w.records.closeLender(effect);
        void tellLoanEnded({
          policy: p.policy,
          adapter: p.adapter,
          agreement: effect.agreement,
          status: effect.status,
          log: w.log,
        });
        return;
      case "effect.marginCall": {
        // In the loan's own session (its id): the borrower's replay memory holds our seq there.
        const { to, call } = effect;
        p.endpoint.send(to, call.agreementId, "margin.call", call).then(
          (m) =>
            report({
              type: "sent",
              agent: p.name,
              to,
              kind: m.message.kind,
              sessionId: m.message.sessionId,
              body: call,
            }),
          (err: unknown) => w.log.warn("sending a margin call failed", { to, error: String(err) }),
        );
        return;
      }
      case "report":
        report({ type: "report", agent: p.name, what: effect.what, data: effect.data });
        return;
    }
  };
}
